/**
 * A rule run on K copies of its parameter at once, the rows of a K×n matrix,
 * each row with its own learning rate (batched lr sweeps, ../sweep.ts). The
 * rule's JS runs once per row on stand-ins (./traceRule.ts's replay) to get
 * that row's scalars; those that differ between rows are passed to the
 * recorded ops as K×1 columns (./opReplay.ts, runSubstituting) in one real
 * update of the whole matrix. Per element that is the single run's
 * arithmetic (a column's entry is the float32 scalar the row's run would
 * pass), so each row follows its own run; K rows cost one update's ops.
 */
import * as tf from '@tensorflow/tfjs';
import type { HpRecord } from '../hyperparams';
import type { OptimizerRule, RuleState } from './optimizerRule';
import { runSubstituting } from './opReplay';
import { hpFor } from './ruleOnTensors';
import { PathChanged, inputId, record, type Recording } from './ruleRecorder';
import { SlotReplayer, type SlotSpec } from './traceRule';

/** Paths kept (a branch on ctx.step takes a second one; more than a few means the rule changes every step). */
const MAX_PATHS = 8;

interface Path {
  readonly recording: Recording;
  /** Per row: this step's scalars. */
  readonly scalars: Float64Array[];
}

export class RuleOnRows {
  private spec: SlotSpec | undefined;
  private replayer: SlotReplayer | undefined;
  private readonly paths: Path[] = [];
  private numbers: Readonly<Record<string, number>> = {};
  /** Plain-number state after the first row's replay of this step: every row must agree with it. */
  private firstRowNumbers: Readonly<Record<string, number>> = {};

  constructor(private readonly id: string, private readonly rule: OptimizerRule, private readonly hp: HpRecord, private readonly lrs: readonly number[]) {}

  /** The state tensors of the rows (K×n each, in a fixed key order); call inside a tidy-free scope and keep them. */
  init(x: tf.Tensor2D): tf.Tensor[] {
    const init = tf.tidy(() => this.rule.init(x, hpFor(this.hp, this.rule.defaults.lr)) as unknown as tf.TensorContainer) as unknown as RuleState;
    const keys = Object.keys(init).filter((key) => init[key] instanceof tf.Tensor);
    const numbers: Record<string, number> = {};
    for (const [key, value] of Object.entries(init)) if (typeof value === 'number') numbers[key] = value;
    this.numbers = numbers;
    const tensors = keys.map((key) => init[key] as tf.Tensor);
    this.spec = { name: '', shape: x.shape, stateKeys: keys, stateShapes: tensors.map((s) => s.shape) };
    this.replayer = new SlotReplayer(this.rule, this.hp, this.spec);
    return tensors;
  }

  /** Update t (1-based) of every row; inside the caller's tidy. Returns the new parameters and state. */
  update(x: tf.Tensor2D, grad: tf.Tensor2D, state: readonly tf.Tensor[], t: number): { x: tf.Tensor2D; state: tf.Tensor[] } {
    const spec = this.spec as SlotSpec;
    const path = this.pathAt(x, grad, state, t);
    const columns = this.rowScalars(path, t);
    const given: RuleState = { ...this.numbers };
    spec.stateKeys.forEach((key, j) => (given[key] = state[j]));
    const ops = path.recording.ops as NonNullable<Recording['ops']>;
    const out = runSubstituting(ops, (s) => columns.get(s), () => this.rule.update(grad, given, x, hpFor(this.hp, this.lrs[0]), { step: t, name: '' }));
    const numbers: Record<string, number> = {};
    for (const [key, value] of Object.entries(out.state)) if (typeof value === 'number') numbers[key] = value;
    this.numbers = numbers;
    return { x: out.param as tf.Tensor2D, state: spec.stateKeys.map((key) => out.state[key] as tf.Tensor) };
  }

  /** The recorded path the first row takes at step t (recorded now if it is new), with that row's scalars. */
  private pathAt(x: tf.Tensor2D, grad: tf.Tensor2D, state: readonly tf.Tensor[], t: number): Path {
    const replayer = this.replayer as SlotReplayer;
    for (const path of this.paths) {
      try {
        this.firstRowNumbers = replayer.run(path.recording, path.scalars[0], this.numbers, this.lrs[0], t);
        return path;
      } catch (e) {
        if (!(e instanceof PathChanged)) throw e;
      }
    }
    if (this.paths.length >= MAX_PATHS) throw new Error(`optimizer rule '${this.id}' took ${MAX_PATHS} different paths; a batched sweep cannot run it`);
    const spec = this.spec as SlotSpec;
    let recording: Recording | undefined;
    tf.tidy(() => {
      // A real update, only to record its ops (its results go with the tidy).
      const given: RuleState = { ...this.numbers };
      spec.stateKeys.forEach((key, j) => (given[key] = state[j]));
      const inputIds = new Map([x, grad, ...state].map((s, k) => [s.id, inputId(k)]));
      recording = record(() => this.rule.update(grad, given, x, hpFor(this.hp, this.lrs[0]), { step: t, name: '' }), inputIds).recording;
    });
    const rec = recording as Recording;
    if (!rec.ops) throw new Error(`optimizer rule '${this.id}' makes tensors outside ops (tf.scalar in update); a batched sweep cannot give its rows their own lr`);
    const path = { recording: rec, scalars: this.lrs.map(() => new Float64Array(rec.scalars.length)) };
    this.paths.push(path);
    this.firstRowNumbers = replayer.run(rec, path.scalars[0], this.numbers, this.lrs[0], t);
    return path;
  }

  /** Every row's scalars at step t; those that differ from the first row's, as K×1 columns by scalar index. */
  private rowScalars(path: Path, t: number): Map<number, tf.Tensor> {
    const replayer = this.replayer as SlotReplayer;
    const first = path.scalars[0];
    const differing = new Set<number>();
    for (let j = 1; j < this.lrs.length; j++) {
      const row = path.scalars[j];
      let numbers: Readonly<Record<string, number>>;
      try {
        numbers = replayer.run(path.recording, row, this.numbers, this.lrs[j], t);
      } catch (e) {
        if (!(e instanceof PathChanged)) throw e;
        throw new Error(`optimizer rule '${this.id}' takes another path at lr ${this.lrs[j]} than at lr ${this.lrs[0]}; a batched sweep needs one path for every lr`);
      }
      for (const key in numbers) {
        if (!Object.is(numbers[key], this.firstRowNumbers[key])) throw new Error(`optimizer rule '${this.id}': state.${key} depends on lr; a batched sweep shares it between rows`);
      }
      for (let s = 0; s < row.length; s++) if (!Object.is(row[s], first[s])) differing.add(s);
    }
    const columns = new Map<number, tf.Tensor>();
    for (const s of differing) columns.set(s, tf.tensor2d(Float32Array.from(path.scalars, (row) => row[s]), [this.lrs.length, 1]));
    return columns;
  }
}
