/**
 * Cancellation latency through the real child process: from `cancel()` to the run's outcome, for a run on
 * tensors and a compiled one (which makes 100,000+ records a second, so the runner must not queue more
 * than the host reads). The unit test asserts the behaviour (a cancelled outcome with the final
 * parameters); how fast it comes is measured here, as a median over repeats.
 *   npx tsx bench/cancelLatency.ts [repeats]
 */
import * as path from 'node:path';
import { RunnerClient } from '../src/runner/client';
import { buildBundles } from '../test/unit/runner/buildBundles';

const ROSENBROCK = path.resolve(__dirname, '../examples/rosenbrock.ts');

async function latencyMs(client: RunnerClient, compile: boolean): Promise<number> {
  let started!: () => void;
  const running = new Promise<void>((resolve) => (started = resolve));
  const handle = client.run(
    { file: ROSENBROCK, optimizer: { id: 'adam', lr: 0.001, hp: {} }, steps: 10_000_000, compile },
    { onSteps: () => started() },
  );
  await running;
  await new Promise((resolve) => setTimeout(resolve, 200));
  const t0 = performance.now();
  handle.cancel();
  const outcome = await handle.result;
  if (outcome.kind !== 'done' || outcome.done.status !== 'cancelled') throw new Error(`not cancelled: ${JSON.stringify(outcome).slice(0, 200)}`);
  return performance.now() - t0;
}

async function main(): Promise<void> {
  const repeats = Number(process.argv[2] ?? 9);
  const { runner } = await buildBundles();
  const client = new RunnerClient({ runnerPath: runner, backend: 'cpu', killGraceMs: 250 });
  await client.start();
  try {
    for (const compile of [false, true]) {
      const times: number[] = [];
      for (let k = 0; k < repeats; k++) times.push(await latencyMs(client, compile));
      times.sort((a, b) => a - b);
      console.log(`cancel latency, ${compile ? 'compiled' : 'on tensors'}: median ${times[times.length >> 1].toFixed(1)} ms (min ${times[0].toFixed(1)}, max ${times[times.length - 1].toFixed(1)}, ${repeats} runs)`);
    }
  } finally {
    client.dispose();
  }
}

void main();
