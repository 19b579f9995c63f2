/**
 * The CNN workload (issue 20): bench/cnnNetwork.ts with its data and initial weights drawn as the runner draws
 * them (seed 0), batches taken in order (update `step` uses rows (step mod 32)·32 …), and the same numbers
 * written to a file for bench/torch_cnn.py, so both sides train the same network from the same weights.
 */
import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { cnn, cnnBatchNorm } from './cnnNetwork';
import type { ArrayInput, TensorObjective } from '../src/core/compiled/compileValueAndGrad';
import type { FlatObjective } from '../src/core/curvature/hvp';
import { flatInitialParams, initParams } from '../src/runner/initParams';
import { createRng } from '../src/runner/rng';

export interface CnnProblem {
  readonly x0: Float32Array;
  readonly images: Float32Array;
  readonly labels: Float32Array;
  /** Loss on the batch update `step` uses, on tensors. */
  objective(step: number): FlatObjective;
  /** The same loss with the batch as inputs [x, y] (how the runner passes mini-batches to compiled objectives). */
  batchLoss: TensorObjective;
  batchInputs(step: number): ArrayInput[];
  /** Parameter shapes in the flat vector's order (what the PyTorch side slices). */
  readonly shapes: readonly (readonly number[])[];
  dispose(): void;
}

const SIDE = 16;
const CLASSES = 10;

/** `batchNorm`: the network with batch norm after each convolution (cnnNetwork.ts' cnnBatchNorm). */
export function cnnProblem(batch: number, batchNorm = false): CnnProblem {
  const network: (p: never, b: { x: tf.Tensor4D; y: tf.Tensor2D }) => tf.Scalar = batchNorm ? cnnBatchNorm : cnn;
  const rng = createRng(0);
  const data = cnn.data(rng);
  const { layout, x0Values: x0 } = flatInitialParams(initParams((batchNorm ? cnnBatchNorm : cnn).init(rng), rng, tf));
  const images = Float32Array.from(data.x.flat(3));
  const labels = Float32Array.from(data.y.flat());
  const samples = data.y.length;
  const batches = Math.floor(samples / batch);
  const imageSize = SIDE * SIDE;
  const rows = (step: number) => (step % batches) * batch;
  const loss = (p: tf.Tensor1D, xb: tf.Tensor, yb: tf.Tensor) =>
    tf.tidy(() => network(layout.unflatten(p) as never, { x: xb as tf.Tensor4D, y: yb as tf.Tensor2D }));
  const batchInputs = (step: number): ArrayInput[] => {
    const start = rows(step);
    return [
      { values: images.subarray(start * imageSize, (start + batch) * imageSize), shape: [batch, SIDE, SIDE, 1] },
      { values: labels.subarray(start * CLASSES, (start + batch) * CLASSES), shape: [batch, CLASSES] },
    ];
  };
  return {
    x0,
    images,
    labels,
    shapes: layout.slots.map((s) => s.shape),
    objective: (step) => (p) =>
      tf.tidy(() => {
        const [xb, yb] = batchInputs(step);
        return loss(p, tf.tensor(xb.values, [...xb.shape]), tf.tensor(yb.values, [...yb.shape]));
      }),
    batchLoss: (p, [xb, yb]) => loss(p, xb, yb),
    batchInputs,
    dispose: () => undefined,
  };
}

/**
 * Writes the initial weights, images and labels (float32, little-endian, in that order) and their
 * sizes for the PyTorch side, which reads them back instead of drawing its own.
 */
export function writeCnnInputs(file: string, batch: number, batchNorm = false): void {
  const p = cnnProblem(batch, batchNorm);
  const header = JSON.stringify({ x0: p.x0.length, images: p.images.length, labels: p.labels.length, shapes: p.shapes, side: SIDE, classes: CLASSES, batchNorm });
  const body = Buffer.concat([p.x0, p.images, p.labels].map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength)));
  fs.writeFileSync(file, body);
  fs.writeFileSync(`${file}.json`, header + '\n');
  p.dispose();
}
