/**
 * A series is one line on one chart, fed incrementally from a run: `pull`
 * appends the records that arrived since the last frame to `points`, the full
 * array the chart reads (Chart.js's decimation keeps its reduced copy aside,
 * so nothing is lost).
 */
import type { DashboardStep, RunSnapshot } from '../../src/protocol/webview';
import type { CurvatureSample } from '../../src/protocol/runner';

export interface Point {
  x: number;
  y: number;
  /** λmin was negative (drawn as |λmin| with a triangle). */
  neg?: boolean;
}

export interface SeriesStyle {
  color: string;
  width: number;
  dash?: number[];
  pointRadius?: number;
  showLine?: boolean;
  /** Fill down to the previous dataset (the residual band). */
  fillPrevious?: boolean;
}

export interface Series {
  readonly key: string;
  readonly runId: string;
  readonly ghost: boolean;
  readonly label: string;
  readonly style: SeriesStyle;
  readonly points: Point[];
  /** Points are rewritten in place (a thinned path, a fitted line), not only appended. */
  readonly rewrites?: boolean;
  pull(): boolean;
}

interface SeriesHead {
  key: string;
  runId: string;
  ghost: boolean;
  label: string;
  style: SeriesStyle;
}

/** A series over a run's step records; `map` may keep state (EMA) and return null to skip. */
export function stepSeries(head: SeriesHead, run: RunSnapshot, map: (s: DashboardStep) => Point | null): Series {
  let cursor = 0;
  const points: Point[] = [];
  return {
    ...head, points,
    pull() {
      const steps = run.steps;
      const start = cursor;
      for (; cursor < steps.length; cursor++) {
        const p = map(steps[cursor]);
        if (p) points.push(p);
      }
      return cursor > start;
    },
  };
}

export function curvatureSeries(head: SeriesHead, run: RunSnapshot, map: (c: CurvatureSample) => Point | null): Series {
  let cursor = 0;
  const points: Point[] = [];
  return {
    ...head, points,
    pull() {
      const samples = run.curvature;
      const start = cursor;
      for (; cursor < samples.length; cursor++) {
        const p = map(samples[cursor]);
        if (p) points.push(p);
      }
      return cursor > start;
    },
  };
}

/** A series fixed once (the schedule preview): pulled when first asked. */
export function staticSeries(head: SeriesHead, make: () => Point[]): Series {
  let made = false;
  const points: Point[] = [];
  return {
    ...head, points,
    pull() {
      if (made) return false;
      made = true;
      for (const p of make()) points.push(p);
      return points.length > 0;
    },
  };
}

/** Positive values for a log axis: anything else becomes a gap. */
export function positive(y: number): number {
  return y > 0 && Number.isFinite(y) ? y : NaN;
}

/**
 * Keeps about `perDecade` points per decade of x: a log axis shows them as
 * evenly spaced, and Chart.js cannot decimate on a log axis.
 */
export function logSampler(perDecade: number): (x: number) => boolean {
  let last = -Infinity;
  return (x) => {
    if (!(x > 0)) return false;
    const bucket = Math.floor(Math.log10(x) * perDecade);
    if (bucket <= last) return false;
    last = bucket;
    return true;
  };
}

/** Exponential moving average with factor `a` (0 = raw values). */
export function ema(a: number): (y: number) => number {
  let state: number | undefined;
  return (y) => {
    if (a <= 0 || !Number.isFinite(y)) return y;
    state = state === undefined ? y : a * state + (1 - a) * y;
    return state;
  };
}
