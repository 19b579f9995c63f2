/**
 * Bench rows on objectives from examples/ (issue 20: examples/smallCnn.ts's batch-norm CNN, the tiny
 * transformer): the objective loaded as the runner loads it (seed 0: the same initial weights and
 * data as `optlab run`), mini-batches taken in order (update `step` uses rows (step mod B)·batch …,
 * B = samples / batch), and the same numbers written to a file for bench/torch_examples.py, so both
 * sides train one network from one set of weights.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { ArrayInput, TensorObjective } from '../src/core/compiled/compileValueAndGrad';
import type { FlatObjective } from '../src/core/curvature/hvp';
import { compileObjective } from '../src/runner/compile';
import type { HostColumn } from '../src/runner/dataset';
import { loadBundle } from '../src/runner/loadBundle';
import { discoverObjectives, prepareObjective } from '../src/runner/objectives';

export interface ExampleProblem {
  readonly x0: Float32Array;
  /** The data's columns (x, y) on the host, every sample. */
  readonly columns: readonly HostColumn[];
  /** Parameter shapes in the flat vector's order (what the PyTorch side slices). */
  readonly shapes: readonly (readonly number[])[];
  /** Loss on the batch update `step` uses, on tensors. */
  objective(step: number): FlatObjective;
  /** The same loss with the batch's columns as inputs (how the runner passes mini-batches to compiled objectives). */
  readonly batchLoss: TensorObjective;
  batchInputs(step: number): ArrayInput[];
}

type Objective = (p: unknown, batch: Record<string, tf.Tensor>) => tf.Scalar;

/** `file` relative to the repository, `name` an objective exported there with data and batches. */
export async function exampleProblem(file: string, name: string, batch: number): Promise<ExampleProblem> {
  const bundle = await compileObjective(path.join(__dirname, '..', file));
  const entry = discoverObjectives(loadBundle(bundle, tf), fs.readFileSync(bundle.file, 'utf8')).find((e) => e.name === name);
  if (!entry) throw new Error(`${file} exports no objective '${name}'`);
  const prepared = prepareObjective(entry, bundle.file, 0, tf);
  const { layout, x0Values, dataset } = prepared;
  if (!dataset) throw new Error(`${file}#${name} has no data`);
  const { single, columns } = dataset.hostColumns();
  prepared.dispose();
  if (single) throw new Error(`${file}#${name}: the bench expects named data columns`);
  const fn = entry.fn as unknown as Objective;
  const samples = dataset.size;
  const batches = Math.floor(samples / batch);
  const rowSize = (c: HostColumn) => c.rowShape.reduce((a, b) => a * b, 1);
  const batchInputs = (step: number): ArrayInput[] => {
    const start = (step % batches) * batch;
    return columns.map((c) => ({ values: c.values.subarray(start * rowSize(c), (start + batch) * rowSize(c)), shape: [batch, ...c.rowShape] }));
  };
  const loss = (p: tf.Tensor1D, inputs: readonly tf.Tensor[]) =>
    tf.tidy(() => fn(layout.unflatten(p), Object.fromEntries(columns.map((c, k) => [c.name, inputs[k]]))));
  return {
    x0: x0Values,
    columns,
    shapes: layout.slots.map((s) => s.shape),
    objective: (step) => (p) => tf.tidy(() => loss(p, batchInputs(step).map((i) => tf.tensor(i.values, [...i.shape])))),
    batchLoss: (p, inputs) => loss(p, inputs),
    batchInputs,
  };
}

/**
 * Writes the initial weights and every column (float32, little-endian, in that order) and their
 * sizes and shapes for the PyTorch side, which reads them back instead of drawing its own.
 */
export async function writeExampleInputs(outFile: string, file: string, name: string, batch: number): Promise<void> {
  const p = await exampleProblem(file, name, batch);
  const header = JSON.stringify({
    x0: p.x0.length, shapes: p.shapes, columns: p.columns.map((c) => ({ name: c.name, size: c.values.length, rowShape: c.rowShape })),
  });
  const body = Buffer.concat([p.x0, ...p.columns.map((c) => c.values)].map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength)));
  fs.writeFileSync(outFile, body);
  fs.writeFileSync(`${outFile}.json`, header + '\n');
}
