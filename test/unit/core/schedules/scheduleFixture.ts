import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One case of test/fixtures/torch/schedules.json (written by schedules.py). */
export interface ScheduleCase {
  readonly spec: string;
  readonly baseLr: number;
  /** The run's length, passed as parseSchedule's third argument. */
  readonly totalSteps?: number;
  /** Plateau cases: the loss fed to scheduler.step after each update. */
  readonly losses?: readonly number[];
  /** lrs[k]: torch's lr after k scheduler steps, i.e. the lr of update k. */
  readonly lrs: readonly number[];
}

export interface ScheduleFixture {
  readonly torch: string;
  readonly steps: number;
  readonly cases: readonly ScheduleCase[];
}

export function loadScheduleFixture(): ScheduleFixture {
  const path = join(__dirname, '..', '..', '..', 'fixtures', 'torch', 'schedules.json');
  return JSON.parse(readFileSync(path, 'utf8')) as ScheduleFixture;
}

/** Largest relative difference |ours − torch| / |torch| over a run (0 where both are 0). */
export function maxRelativeError(ours: readonly number[], torch: readonly number[]): { error: number; at: number } {
  let worst = { error: 0, at: -1 };
  torch.forEach((t, k) => {
    const diff = Math.abs(ours[k] - t);
    const error = diff === 0 ? 0 : diff / Math.abs(t);
    if (!(error <= worst.error)) worst = { error, at: k };
  });
  return worst;
}
