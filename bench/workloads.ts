/**
 * The benchmark's workloads, shared by both sides: bench/ours.ts reads them
 * directly, bench/torch_bench.py receives them as JSON on stdin, so the two
 * sides always run the same problem sizes, step counts and hyperparameters.
 */
export type Workload =
  | { id: string; kind: 'adam-rosenbrock'; n: number; steps: number; lr: number; repeats: number; tol: number }
  | { id: string; kind: 'sgd-quadratic'; n: number; kappa: number; steps: number; lr: number; momentum: number; repeats: number; tol: number }
  | { id: string; kind: 'lbfgs-quadratic'; n: number; kappa: number; steps: number; lr: number; history: number; repeats: number; tol: number }
  | {
      id: string;
      kind: 'mlp-adam';
      samples: number;
      features: number;
      hidden: number;
      batch: number;
      steps: number;
      lr: number;
      repeats: number;
      tol: number;
    }
  /**
   * bench/cnnNetwork.ts with Adam; `dataFile`: the file (in the temporary directory) where bench/cnnProblem.ts writes the weights and data PyTorch starts from.
   * `threads` (here and on example-adam): ours runs its large products on that many threads (src/runner/productPool.ts), PyTorch gets torch.set_num_threads; absent: 1.
   */
  | { id: string; kind: 'cnn-adam'; batch: number; steps: number; lr: number; repeats: number; tol: number; dataFile: string; threads?: number; batchNorm?: boolean }
  /**
   * An objective from examples/ with Adam (bench/exampleProblem.ts); `torchNet`: the same network in bench/torch_examples.py,
   * `dataFile` where its weights and data are written for it.
   */
  | { id: string; kind: 'example-adam'; file: string; objective: string; torchNet: 'smallCnnBatchNorm' | 'tinyTransformer'; batch: number; steps: number; lr: number; repeats: number; tol: number; dataFile: string; threads?: number }
  | { id: string; kind: 'hvp'; n: number; steps: number; repeats: number; tol: number }
  | { id: string; kind: 'lanczos'; n: number; iterations: number; steps: number; repeats: number; tol: number }
  | { id: string; kind: 'sweep'; n: number; lrs: number[]; steps: number; repeats: number; tol: number }
  /** An optimizer rule from a workspace file (`file#name`, relative to the repository) or a built-in's id; torch runs `torchRule`, the same rule in PyTorch. */
  | { id: string; kind: 'rule-rosenbrock'; rule: string; torchRule: 'lion' | 'adam'; n: number; steps: number; lr: number; repeats: number; tol: number };

/** 16 learning rates from 1e-3 to 1e-1, geometric (rounded so both sides parse the same numbers). */
const sweepLrs = Array.from({ length: 16 }, (_, k) => Number((1e-3 * 100 ** (k / 15)).toPrecision(6)));

/**
 * `steps` is per timed repeat; `tol` bounds |ours − torch| / max(|torch|, 1e-6·initial)
 * on the final loss (HVP: the product's norm; Lanczos: λmax; sweep: every lr's loss).
 */
export const WORKLOADS: Workload[] = [
  { id: 'adam rosenbrock n=2', kind: 'adam-rosenbrock', n: 2, steps: 2000, lr: 1e-3, repeats: 5, tol: 1e-3 },
  { id: 'adam rosenbrock n=1e3', kind: 'adam-rosenbrock', n: 1000, steps: 2000, lr: 1e-3, repeats: 5, tol: 1e-3 },
  { id: 'adam rosenbrock n=1e5', kind: 'adam-rosenbrock', n: 100_000, steps: 300, lr: 1e-3, repeats: 5, tol: 1e-3 },
  { id: 'adam rosenbrock n=1e6', kind: 'adam-rosenbrock', n: 1_000_000, steps: 30, lr: 1e-3, repeats: 3, tol: 1e-3 },
  { id: 'sgd+momentum quadratic n=100', kind: 'sgd-quadratic', n: 100, kappa: 1000, steps: 2000, lr: 1e-3, momentum: 0.9, repeats: 5, tol: 1e-3 },
  { id: 'lbfgs quadratic n=100', kind: 'lbfgs-quadratic', n: 100, kappa: 1000, steps: 200, lr: 0.5, history: 10, repeats: 5, tol: 1e-2 },
  {
    id: 'mlp adam 16-64-64-1 batch 64',
    kind: 'mlp-adam',
    samples: 10_000,
    features: 16,
    hidden: 64,
    batch: 64,
    steps: 500,
    lr: 1e-3,
    repeats: 3,
    tol: 1e-2,
  },
  { id: 'cnn adam 16x16 conv16-conv32s2-dense10 batch 32', kind: 'cnn-adam', batch: 32, steps: 300, lr: 1e-3, repeats: 3, tol: 1e-2, dataFile: 'optlab-bench-cnn-inputs.bin' },
  {
    id: 'cnn+batchnorm adam 16x16 conv16-bn-conv32s2-bn-dense10 batch 32', kind: 'cnn-adam', batchNorm: true,
    batch: 32, steps: 300, lr: 1e-3, repeats: 3, tol: 1e-2, dataFile: 'optlab-bench-cnnbn-inputs.bin',
  },
  {
    id: 'cnn+batchnorm adam 12x12 conv8-bn-pool-dense8 batch 32 (examples/smallCnn.ts)', kind: 'example-adam', file: 'examples/smallCnn.ts', objective: 'withBatchNorm',
    torchNet: 'smallCnnBatchNorm', batch: 32, steps: 300, lr: 1e-3, repeats: 3, tol: 1e-2, dataFile: 'optlab-bench-smallcnn-inputs.bin',
  },
  {
    id: 'transformer adam 1 block d64 ctx32 batch 32 (examples/tinyTransformer.ts)', kind: 'example-adam', file: 'examples/tinyTransformer.ts', objective: 'tinyTransformer',
    torchNet: 'tinyTransformer', batch: 32, steps: 20, lr: 1e-3, repeats: 3, tol: 1e-2, dataFile: 'optlab-bench-transformer-inputs.bin',
  },
  // The rows above on 2 threads, both sides (issue 20): ours splits its large products' rows over a worker thread.
  { id: 'cnn adam 16x16 conv16-conv32s2-dense10 batch 32, 2 threads', kind: 'cnn-adam', batch: 32, steps: 300, lr: 1e-3, repeats: 3, tol: 1e-2, dataFile: 'optlab-bench-cnn-inputs.bin', threads: 2 },
  {
    id: 'transformer adam 1 block d64 ctx32 batch 32 (examples/tinyTransformer.ts), 2 threads', kind: 'example-adam', file: 'examples/tinyTransformer.ts', objective: 'tinyTransformer',
    torchNet: 'tinyTransformer', batch: 32, steps: 20, lr: 1e-3, repeats: 3, tol: 1e-2, dataFile: 'optlab-bench-transformer-inputs.bin', threads: 2,
  },
  { id: 'hvp rosenbrock n=1e5', kind: 'hvp', n: 100_000, steps: 50, repeats: 5, tol: 1e-3 },
  { id: 'lanczos 30 it. n=1e5', kind: 'lanczos', n: 100_000, iterations: 30, steps: 1, repeats: 3, tol: 1e-3 },
  { id: 'sweep 16 lr adam rosenbrock n=2', kind: 'sweep', n: 2, lrs: sweepLrs, steps: 1000, repeats: 3, tol: 1e-3 },
  // Rules written in a workspace file, beside the built-in adam rows above (same arithmetic as adam: myAdam).
  { id: 'lion (rule file) rosenbrock n=2', kind: 'rule-rosenbrock', rule: 'examples/lion.ts#lion', torchRule: 'lion', n: 2, steps: 2000, lr: 1e-3, repeats: 5, tol: 1e-3 },
  { id: 'lion (rule file) rosenbrock n=1e5', kind: 'rule-rosenbrock', rule: 'examples/lion.ts#lion', torchRule: 'lion', n: 100_000, steps: 300, lr: 1e-4, repeats: 5, tol: 1e-3 },
  { id: 'lion (built-in) rosenbrock n=2', kind: 'rule-rosenbrock', rule: 'lion', torchRule: 'lion', n: 2, steps: 2000, lr: 1e-3, repeats: 5, tol: 1e-3 },
  { id: 'lion (built-in) rosenbrock n=1e5', kind: 'rule-rosenbrock', rule: 'lion', torchRule: 'lion', n: 100_000, steps: 300, lr: 1e-4, repeats: 5, tol: 1e-3 },
  { id: 'myAdam (rule file) rosenbrock n=1e5', kind: 'rule-rosenbrock', rule: 'examples/myAdam.ts#myAdam', torchRule: 'adam', n: 100_000, steps: 300, lr: 1e-3, repeats: 5, tol: 1e-3 },
];

/** Rosenbrock's customary start (−1.2, 1, −1.2, 1, …). */
export function rosenbrockStart(n: number): number[] {
  return Array.from({ length: n }, (_, i) => (i % 2 === 0 ? -1.2 : 1));
}

/**
 * The MLP's data and initial weights from exact rational formulas (no RNG), so
 * both sides start from the same float32 numbers.
 */
export function mlpFeature(i: number, j: number): number {
  return (((7 * i + 13 * j + 3 * i * j) % 17) - 8) / 8;
}
export function mlpTargetWeight(j: number): number {
  return (((3 * j) % 7) - 3) / 3;
}
export function mlpInitWeight(k: number): number {
  return (((37 * k) % 101) - 50) / 500;
}

/** Steps counted per timed repeat (a sweep counts every configuration's steps). */
export function workOf(w: Workload): number {
  return w.kind === 'sweep' ? w.steps * w.lrs.length : w.steps;
}
