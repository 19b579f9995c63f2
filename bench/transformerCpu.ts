/**
 * CPU time per value-and-gradient of examples/tinyTransformer.ts, compiled and on tensors, interleaved
 * (process user + system time around a block of evaluations; medians of the blocks), for the rows in
 * bench/README.md. Usage: npx tsx bench/transformerCpu.ts [--blocks 5] [--per 10]
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { CompiledValueAndGrad } from '../src/core/compiled/compileValueAndGrad';
import { processCpuMs } from '../src/runner/pathProbe';
import { exampleProblem } from './exampleProblem';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const arg = (name: string, fallback: number) => {
    const at = process.argv.indexOf(name);
    return at >= 0 ? Number(process.argv[at + 1]) : fallback;
  };
  const blocks = arg('--blocks', 5);
  const per = arg('--per', 10);
  await tf.setBackend('wasm');
  const problem = await exampleProblem('examples/tinyTransformer.ts', 'tinyTransformer', 32);
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
  const show = (xs: number[]) => `median ${median(xs).toFixed(1)} ms (${xs.map((t) => t.toFixed(0)).join(', ')})`;
  console.log(`compiled: ${show(times.compiled)}; tensors: ${show(times.tensors)}; ${blocks} blocks of ${per}`);
}

void main();
