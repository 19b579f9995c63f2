/**
 * CPU time per value-and-gradient of examples/tinyTransformer.ts, compiled and on tensors, interleaved
 * (process user + system time around a block of evaluations; medians of the blocks), for the rows in
 * bench/README.md. Usage: npx tsx bench/transformerCpu.ts [--blocks 5] [--per 10] [--example examples/smallCnn.ts#withBatchNorm]
 * With --phases: the CPU time of each stage of compiling it at batch 32 and at the whole data set instead, as
 * compileValueAndGrad.ts runs them at full length (a single run evaluates its final point on the whole data set
 * on tensors, src/runner/finalOnTensors.ts; a sweep's kept objective compiles that shape).
 * With --phases --warm N: the batch-32 compile N + 1 times in this process and the medians of the last N per stage,
 * what each repeat of the bench's row pays (the engine warm, the loop modules in their cache by bytes).
 */
import * as tf from '@tensorflow/tfjs';
import { CompiledValueAndGrad, type ArrayInput } from '../src/core/compiled/compileValueAndGrad';
import { fuseLoops } from '../src/core/compiled/fuseLoops';
import { generateCode } from '../src/core/compiled/generateCode';
import { instantiateProgram } from '../src/core/compiled/instantiateProgram';
import { traceProgram } from '../src/core/compiled/traceProgram';
import { valueGraph } from '../src/core/compiled/valueGraph';
import { selectBackend } from '../src/runner/backend';
import { processCpuMs } from '../src/runner/pathProbe';
import { silenceTfjsBanner } from '../src/runner/quietTfjs';
import { exampleProblem, type ExampleProblem } from './exampleProblem';
import { setWasmFlags } from '../src/runner/wasmFlags';

// Before any WebAssembly compiles (the products' fused multiply-add), as the runner does.
setWasmFlags();

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(name);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
};

/** CPU ms of fn, added to times[name]. */
function timed<T>(times: Map<string, number>, name: string, fn: () => T): T {
  const start = processCpuMs();
  try {
    return fn();
  } finally {
    times.set(name, (times.get(name) ?? 0) + processCpuMs() - start);
  }
}

/** The stages of one full-length compile of the batch shape `inputs` (two traces, compile, two checked runs). */
function compilePhases(problem: ExampleProblem, inputs: readonly ArrayInput[]): Map<string, number> {
  const times = new Map<string, number>();
  const tensors = inputs.map((i) => tf.tensor(i.values, [...i.shape]));
  const x = tf.tensor1d(problem.x0);
  const valueAndGrad = tf.valueAndGrad((p: tf.Tensor) => problem.batchLoss(p as tf.Tensor1D, tensors));
  const trace = () => traceProgram((p) => {
    const { value, grad } = valueAndGrad(p);
    return [value, grad];
  }, [x, ...tensors]);
  const first = timed(times, 'trace (2)', trace);
  timed(times, 'trace (2)', trace);
  const graph = timed(times, 'value graph', () => valueGraph(first.program));
  const schedule = timed(times, 'fuse', () => fuseLoops(graph, [1]));
  const code = timed(times, 'emit JS + loop IR', () => generateCode(schedule, true));
  const program = timed(times, 'instantiate (wasm)', () => instantiateProgram(schedule, code));
  if (!program) throw new Error('no WebAssembly memory');
  const grad = new Float32Array(problem.x0.length);
  const loss = new Float32Array(1);
  timed(times, 'check run 1', () => program.run([problem.x0, ...inputs.map((i) => i.values)], [loss, grad]));
  timed(times, 'check run 2', () => program.run([problem.x0, ...inputs.map((i) => i.values)], [loss, grad]));
  for (let k = 3; k <= 6; k++) timed(times, `run ${k}`, () => program.run([problem.x0, ...inputs.map((i) => i.values)], [loss, grad]));
  tf.dispose([x, ...tensors]);
  console.log(`  ${program.loops} loops, ${program.wasmLoops} WebAssembly, ${program.jsLoops} long ones in JS, ${code.source.length} characters of JS`);
  return times;
}

/** Medians per stage of `warm` compiles of the batch-32 program after a first one (a bench row's repeats). */
function warmPhases(problem: ExampleProblem, warm: number): void {
  compilePhases(problem, problem.batchInputs(0));
  const runs = Array.from({ length: warm }, () => compilePhases(problem, problem.batchInputs(0)));
  console.log(`batch 32, medians of ${warm} compiles after a first one in this process (CPU ms):`);
  for (const name of runs[0].keys()) {
    const ms = runs.map((times) => times.get(name) ?? 0);
    console.log(`  ${name.padEnd(20)} ${median(ms).toFixed(0).padStart(6)} ms  (${ms.map((t) => t.toFixed(0)).join(', ')})`);
  }
}

async function phases(problem: ExampleProblem): Promise<void> {
  const warm = arg('--warm', 0);
  if (warm > 0) return warmPhases(problem, warm);
  const all = problem.columns.map((c) => ({ values: c.values, shape: [c.values.length / c.rowShape.reduce((a, b) => a * b, 1), ...c.rowShape] }));
  for (const inputs of [problem.batchInputs(0), all]) {
    console.log(`batch shape ${inputs.map((i) => i.shape.join('x')).join(', ')}:`);
    const times = compilePhases(problem, inputs);
    for (const [name, ms] of times) console.log(`  ${name.padEnd(20)} ${ms.toFixed(0).padStart(6)} ms`);
  }
  const compiled = new CompiledValueAndGrad(problem.batchLoss, problem.x0.length);
  const grad = new Float32Array(problem.x0.length);
  const start = processCpuMs();
  for (const inputs of [problem.batchInputs(0), all]) compiled.run(problem.x0, inputs, grad);
  console.log(`CompiledValueAndGrad, both shapes (compile, check, one run each): ${(processCpuMs() - start).toFixed(0)} ms`);
}

async function perStep(problem: ExampleProblem): Promise<void> {
  const blocks = arg('--blocks', 5);
  const per = arg('--per', 10);
  const compiled = new CompiledValueAndGrad(problem.batchLoss, problem.x0.length);
  const grad = new Float32Array(problem.x0.length);
  const x = tf.tensor1d(problem.x0);
  const onTensors = (step: number) => tf.tidy(() => {
    const { value, grad: g } = tf.valueAndGrad(problem.objective(step))(x);
    value.dataSync();
    g.dataSync();
  });
  const block = (run: (step: number) => void) => {
    const start = processCpuMs();
    for (let k = 0; k < per; k++) run(k);
    return (processCpuMs() - start) / per;
  };
  const compiledRun = (step: number) => compiled.run(problem.x0, problem.batchInputs(step), grad);
  block(compiledRun);
  block(onTensors);
  const times = { compiled: [] as number[], tensors: [] as number[] };
  for (let b = 0; b < blocks; b++) {
    times.compiled.push(block(compiledRun));
    times.tensors.push(block(onTensors));
  }
  x.dispose();
  const digits = (ms: number) => (ms < 10 ? 3 : 1);
  const show = (xs: number[]) => `median ${median(xs).toFixed(digits(median(xs)))} ms (${xs.map((t) => t.toFixed(digits(t))).join(', ')})`;
  console.log(`compiled: ${show(times.compiled)}; tensors: ${show(times.tensors)}; ${blocks} blocks of ${per}`);
}

async function main(): Promise<void> {
  // The runner's backend (wasm with the repository's kernel fixes, e.g. conv2d's filter gradient).
  silenceTfjsBanner();
  await selectBackend();
  // --example FILE#NAME measures another objective from examples/ (default: the tiny transformer).
  const at = process.argv.indexOf('--example');
  const [file, name] = (at >= 0 ? process.argv[at + 1] : 'examples/tinyTransformer.ts#tinyTransformer').split('#');
  const problem = await exampleProblem(file, name, 32);
  await (process.argv.includes('--phases') ? phases(problem) : perStep(problem));
}

void main();
