/**
 * The MLP sweep row's compiled step alone: the objective of bench/sweepMlpObjective.ts (16-64-64-1, tanh,
 * batch 64) as one flat parameter vector, its value and gradient compiled (CompiledValueAndGrad, the runner's
 * second-order gradients registered as a run has them) and run 5 × 2,000 times; prints the CPU time per run,
 * the loop counts and, with --source, the generated program.
 * --rows N: a batch of N rows instead of 64 (10000: the whole data set, as a run's final point evaluates it), run
 * 5 × 20 times.
 *   npx tsx bench/sweepMlpStep.ts [--source] [--first-order] [--rows N]
 */
import * as tf from '@tensorflow/tfjs';
import { CompiledValueAndGrad } from '../src/core/compiled/compileValueAndGrad';
import { selectBackend } from '../src/runner/backend';
import { silenceTfjsBanner } from '../src/runner/quietTfjs';
import { registerSecondOrderGradients } from '../src/core/tfjs/secondOrderGradients';
import { setWasmFlags } from '../src/runner/wasmFlags';

// Before any WebAssembly compiles (the products' fused multiply-add), as the runner does.
setWasmFlags();

async function main() {
  silenceTfjsBanner();
  await selectBackend('wasm');
  // --first-order: TensorFlow.js's own gradients (tanh's reads the saved output), as bench/run.ts's MLP row has them.
  if (!process.argv.includes('--first-order')) registerSecondOrderGradients();
  const sizes = [[16, 64], [1, 64], [64, 64], [1, 64], [64, 1], [1, 1]];
  const n = sizes.reduce((s, [a, b]) => s + a * b, 0);
  const objective = (x: tf.Tensor1D, inputs: readonly tf.Tensor[]) => {
    let off = 0;
    const p = sizes.map(([a, b]) => { const t = x.slice(off, a * b).reshape([a, b]) as tf.Tensor2D; off += a * b; return t; });
    const [bx, by] = inputs as tf.Tensor2D[];
    const h1 = tf.tanh(tf.add(tf.matMul(bx, p[0]), p[1]));
    const h2 = tf.tanh(tf.add(tf.matMul(h1, p[2]), p[3]));
    const out = tf.add(tf.matMul(h2, p[4]), p[5]);
    return tf.mean(tf.square(tf.sub(out, by))) as tf.Scalar;
  };
  const cvg = new CompiledValueAndGrad(objective, n);
  const x = Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 0.2);
  const at = process.argv.indexOf('--rows');
  const rows = at > 0 ? Number(process.argv[at + 1]) : 64;
  const runs = rows > 64 ? 20 : 2000;
  const bx = { values: Float32Array.from({ length: rows * 16 }, (_, i) => Math.cos(i)), shape: [rows, 16] };
  const by = { values: Float32Array.from({ length: rows }, (_, i) => Math.sin(i * 3)), shape: [rows, 1] };
  const g = new Float32Array(n);
  const loss = cvg.run(x, [bx, by] as never, g);
  // The bits of the value and gradient, to compare trees: a change that keeps the numbers prints the same line.
  const bits = new Uint32Array(g.buffer).reduce((h, w) => Math.imul(h ^ w, 16777619) >>> 0, 2166136261);
  console.log(`value ${loss}, squared gradient norm ${cvg.gradNormSq}, gradient bits ${bits.toString(16)}`);
  const prog = (cvg as unknown as { programs: Map<string, { program: { source: string; jsLoops: number; wasmLoops: number } }> }).programs;
  for (const { program } of prog.values()) { if (process.argv.includes('--source')) console.log(program.source); console.log('js loops', program.jsLoops, 'wasm loops', program.wasmLoops); }
  for (let r = 0; r < 5; r++) {
    const c0 = process.cpuUsage();
    for (let i = 0; i < runs; i++) cvg.run(x, [bx, by] as never, g);
    const c = process.cpuUsage(c0);
    console.log(`us CPU per run: ${((c.user + c.system) / runs).toFixed(1)}`);
  }
}
main();
