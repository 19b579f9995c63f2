/**
 * A long parameter vector's initial optimizer state without TensorFlow.js at full length: the rule's
 * init is traced at two small lengths (compiled/sizeGeneric.ts), checked against TensorFlow.js at
 * both, and the same program compiled at full length computes the state from the parameters (Adam's
 * zeros are a fill). At n = 1e7, init on tensors and reading its state back cost about a second per
 * run and a wasm heap of the state's size. Anything else returns a reason and the caller runs init
 * on tensors as before.
 */
import * as tf from '@tensorflow/tfjs';
import { relativeError } from '../compiled/agreement';
import type { CompiledProgram } from '../compiled/compileProgram';
import { NotCompilable, sizeOf, type Program } from '../compiled/program';
import { compileWithText, lengthInputValues, sizeGeneric, substituteLength } from '../compiled/sizeGeneric';
import { traceProgram } from '../compiled/traceProgram';
import type { HpRecord } from '../hyperparams';
import type { OptimizerRule } from './optimizerRule';
import { hpFor } from './ruleOnTensors';

/** Compiled and traced state agree to this (relative to the largest value), as the compiled update (traceRule.ts). */
const TOL = 1e-6;

/** The rule's init of one long vector, compiled: the state's tensor keys, shapes and numbers, and the program that computes the tensors. */
export interface CompiledInit {
  readonly keys: readonly string[];
  readonly shapes: readonly (readonly number[])[];
  readonly numbers: Readonly<Record<string, number>>;
  /** The state's tensors (as arrays, in `keys` order) for these parameters: views of the program's memory, valid until the next apply. */
  apply(params: Float32Array): readonly Float32Array[];
  /**
   * The state for these parameters written into `targets` (in `keys` order): a state tensor that is one
   * value throughout (Adam's zeros) is filled in place, without running the program or touching its memory;
   * with `zeroed` (the targets hold zeros) a state of zeros is not written at all.
   */
  applyInto(params: Float32Array, targets: readonly Float32Array[], zeroed?: boolean): void;
  /** The state of the first `sampleLength` parameters (`params` holds them), from the program checked at that length: what a small-length trace reads. */
  sample(params: Float32Array): readonly Float32Array[];
  readonly sampleLength: number;
}

interface TracedInit {
  readonly program: Program;
  readonly results: readonly Float32Array[];
  readonly keys: string[];
  readonly shapes: (readonly number[])[];
  readonly numbers: Record<string, number>;
}

function traceInit(rule: OptimizerRule, hp: HpRecord, params: Float32Array): TracedInit {
  const keys: string[] = [];
  const shapes: (readonly number[])[] = [];
  const numbers: Record<string, number> = {};
  const param = tf.tensor1d(params);
  try {
    const { program, results } = traceProgram((p) => {
      const init = rule.init(p, hpFor(hp, rule.defaults.lr));
      const tensors: tf.Tensor[] = [];
      for (const [key, value] of Object.entries(init)) {
        if (typeof value === 'number') numbers[key] = value;
        else if (value instanceof tf.Tensor && value.dtype === 'float32') {
          keys.push(key);
          shapes.push(value.shape);
          tensors.push(value);
        } else throw new NotCompilable(`state.${key} is not a float32 tensor or a number`);
      }
      return tensors;
    }, [param]);
    return { program, results, keys, shapes, numbers };
  } finally {
    param.dispose();
  }
}

/** Per output of the program: the one value it holds throughout when a fill of any length makes it (zerosLike, onesLike, a uniform constant), else undefined. */
function uniformOutputs(program: Program): (number | undefined)[] {
  const constantOf = (node: Program['nodes'][number]): number | undefined => {
    if (node.kernel === 'ZerosLike') return 0;
    if (node.kernel === 'OnesLike') return 1;
    return node.kernel === 'Fill' && typeof node.attrs.value === 'number' ? node.attrs.value : undefined;
  };
  return program.outputs.map((id) => {
    const value = program.values.get(id);
    if (!value || value.dtype !== 'float32' || value.source.kind !== 'node') return undefined;
    return constantOf(program.nodes[value.source.node]);
  });
}

/** Runs a compiled init on `params` (the length `n` as its length inputs); the state's arrays. */
function runInit(compiled: CompiledProgram, params: Float32Array, extra: readonly Float32Array[]): Float32Array[] {
  const outputs = compiled.outputSizes.map((size) => new Float32Array(size));
  compiled.run([params, ...extra], outputs);
  return outputs;
}

/**
 * The rule's init of a vector of `length` parameters, traced and checked at `lengths` (two small ones)
 * and compiled at `length`; a reason when it cannot be. `sample` holds at least lengths[1] parameters.
 */
export function compileInitAtSmallLength(rule: OptimizerRule, hp: HpRecord, length: number, lengths: readonly [number, number], sample: Float32Array): CompiledInit | { reason: string } {
  if (rule.evaluationPoint) return { reason: 'its evaluationPoint runs on tensors' };
  let traced: TracedInit[];
  try {
    traced = lengths.map((n) => traceInit(rule, hp, sample.slice(0, n)));
  } catch (e) {
    return { reason: `its init does not trace at ${lengths[0]} parameters (${(e as Error).message})` };
  }
  const [a, b] = traced;
  if (JSON.stringify([a.keys, a.numbers]) !== JSON.stringify([b.keys, b.numbers])) return { reason: 'its initial state depends on the length' };
  if (a.keys.length === 0) return { keys: [], shapes: [], numbers: a.numbers, apply: () => [], applyInto: () => undefined, sample: () => [], sampleLength: lengths[1] };
  const generic = sizeGeneric(a.program, lengths[0], b.program, lengths[1]);
  if ('reason' in generic) return { reason: `its init changes with the length (${generic.reason})` };
  // A disagreement with TensorFlow.js throws NotCompilable; the caller runs init on tensors then.
  const checked = lengths.map((n, k) => {
    const { compiled, text } = compileWithText(generic.at(n));
    const arrays = runInit(compiled, sample.slice(0, n), lengthInputValues(generic, n));
    traced[k].results.forEach((expected, j) => {
      if (!(relativeError(arrays[j], expected) <= TOL)) throw new NotCompilable(`the compiled init disagrees with TensorFlow.js (state.${traced[k].keys[j]})`);
    });
    return { compiled, text: text(n) };
  })[1];
  const checkedText = checked.text;
  const { compiled, text } = compileWithText(generic.at(length));
  if (text(length) !== checkedText) return { reason: 'its code at full length is not the code checked at a small length' };
  const extra = lengthInputValues(generic, length);
  const shapes = a.shapes.map((s) => substituteLength(s, lengths[0], length));
  if (shapes.some((s, j) => sizeOf(s) !== compiled.outputSizes[j])) return { reason: 'its state has another size at full length' };
  // Resident: the state is computed in the program's memory and read from there (no arrays of the length made per run).
  const resident = compiled.resident([]);
  extra.forEach((values, k) => resident.inputs[1 + k].set(values));
  const apply = (params: Float32Array) => {
    resident.inputs[0].set(params);
    resident.run();
    return resident.outputs;
  };
  const fills = uniformOutputs(generic.at(length));
  const applyInto = (params: Float32Array, targets: readonly Float32Array[], zeroed = false) => {
    const computed = fills.every((v) => v !== undefined) ? [] : apply(params);
    targets.forEach((target, j) => {
      const fill = fills[j];
      if (fill === undefined) target.set(computed[j]);
      else if (!(zeroed && Object.is(fill, 0))) target.fill(fill);
    });
  };
  const sampleExtra = lengthInputValues(generic, lengths[1]);
  const sampleState = (params: Float32Array) => runInit(checked.compiled, params.subarray(0, lengths[1]), sampleExtra);
  return { keys: a.keys, shapes, numbers: a.numbers, apply, applyInto, sample: sampleState, sampleLength: lengths[1] };
}
