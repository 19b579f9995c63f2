import type { Schedule } from '../schedule';

/**
 * The lr of the first `steps` updates, without running anything (the dashboard's
 * preview). A plateau schedule that has seen no loss previews its initial lr.
 */
export function sampleSchedule(schedule: Schedule, steps: number): number[] {
  return Array.from({ length: Math.max(0, Math.floor(steps)) }, (_, k) => schedule.lrAt(k));
}
