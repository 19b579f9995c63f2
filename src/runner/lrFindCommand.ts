/**
 * `optlab lr-find`: the learning-rate range test (src/core/tuning/lrFinder.ts) as one run request with
 * `lrFinder` (src/runner/lrFinderRun.ts, the code path the editor's "Find lr" uses too): the runner runs
 * `optlab run --lr FROM --schedule exponential:gamma=G`, stops once the smoothed loss passes 4x its best and
 * streams the points and the suggested lrs. Prints the loss against the lr and the suggestions; --json writes them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LrFinderPointMessage as LrFinderPoint, LrSuggestionsMessage } from '../protocol/lrFinder';
import type { RunMeta } from '../protocol/runner';
import { lrFindResultSchema, type LrFindResult } from '../protocol/sweep';
import type { RunnerClient } from './client';
import { formatError } from './formatError';
import type { LrFindCommand } from './sweepArgs';
import { fmt, table } from './terminalOutput';

/** Rows of the printed curve (evenly spaced points of the test). */
const CURVE_ROWS = 25;
const BAR_WIDTH = 30;

function failLine(message: string): void {
  process.stderr.write(`optlab: ${message}\n`);
}

/** The smoothed loss against the lr, a bar per row scaled between the lowest and highest smoothed loss. */
export function lrCurveText(points: readonly LrFinderPoint[]): string {
  const every = Math.max(1, Math.ceil(points.length / CURVE_ROWS));
  const shown = points.filter((_, i) => i % every === 0 || i === points.length - 1);
  const lo = Math.min(...shown.map((p) => p.smoothed));
  const hi = Math.max(...shown.map((p) => p.smoothed));
  const rows = shown.map((p) => [fmt(p.lr), fmt(p.loss), fmt(p.smoothed), '#'.repeat(hi > lo ? Math.round((BAR_WIDTH * (p.smoothed - lo)) / (hi - lo)) : 0)]);
  return table(['lr', 'loss', 'smoothed', 'smoothed loss'], rows);
}

export async function lrFindCommand(cmd: LrFindCommand, client: RunnerClient): Promise<number> {
  const file = path.resolve(cmd.file);
  if (!fs.existsSync(file)) {
    failLine(`${cmd.file}: no such file`);
    return 1;
  }
  const range = { from: cmd.from, to: cmd.to, steps: cmd.steps };
  const points: LrFinderPoint[] = [];
  let final: { stoppedAt?: number; suggestions: LrSuggestionsMessage } | undefined;
  let meta: RunMeta | undefined;
  const handle = client.run(
    {
      file,
      objective: cmd.objective,
      optimizer: { id: cmd.optimizer, ...(cmd.optimizerFile !== undefined ? { rule: { file: cmd.optimizerFile } } : {}), lr: cmd.from, hp: cmd.hp },
      lrFinder: range,
      steps: cmd.steps,
      seed: cmd.seed,
      timeLimitMs: cmd.timeLimitMs,
      backend: cmd.backend,
      compile: cmd.compile,
      landscape: false,
      runId: 'lr-find',
    },
    {
      onStarted: (m) => (meta = m),
      onLrFinder: (event) => {
        points.push(...event.points);
        if (event.final) final = event.final;
      },
    },
  );
  const onSigint = (): void => handle.cancel();
  process.on('SIGINT', onSigint);
  const outcome = await handle.result;
  process.off('SIGINT', onSigint);
  if (outcome.kind === 'error') {
    failLine(formatError(outcome.error));
    return 1;
  }
  const suggestions = final?.suggestions ?? {};
  const result: LrFindResult = lrFindResultSchema.parse({
    objective: meta?.objective ?? cmd.objective ?? '',
    optimizer: { id: meta?.optimizer.id ?? cmd.optimizer, ...(cmd.optimizerFile !== undefined ? { file: cmd.optimizerFile } : {}), hp: meta?.optimizer.hp ?? {} },
    ...range,
    ...(final?.stoppedAt !== undefined ? { stoppedAt: final.stoppedAt } : {}),
    points,
    suggestions,
  });
  if (cmd.json) fs.writeFileSync(cmd.json, `${JSON.stringify(result, null, 2)}\n`);
  if (points.length > 0) process.stdout.write(`${lrCurveText(points)}\n`);
  const stop = final?.stoppedAt !== undefined ? `stopped at step ${final.stoppedAt} (smoothed loss above 4x its best)` : `ran all ${cmd.steps} steps`;
  process.stdout.write(`${stop}\n`);
  if (suggestions.steepest === undefined) {
    failLine('too few points to suggest an lr (the loss blew up almost at once): try a smaller --from or more --steps');
    return 1;
  }
  process.stdout.write(`suggested lr: ${fmt(suggestions.steepest)} (steepest descent), ${fmt(suggestions.minimumOverTen as number)} (minimum / 10)\n`);
  return 0;
}
