/**
 * Tick values and labels for the charts' axes. Chart.js's log scale puts a tick at every 1..9 × 10^k and leaves
 * the choice of labels to us; labelling only powers of ten left a curve that stays within a decade (a loss going
 * 170 → 139) with an unlabelled axis. These pick the finest readable set that fits the axis: every few powers
 * of ten over many decades, 1-2-5 over a few, evenly spaced "nice" values (1, 2 or 5 × 10^k apart) within one.
 */

/** How many labels an axis of this many pixels can carry without crowding. */
export function tickBudget(lengthPx: number, horizontal: boolean): number {
  // A 10 px label is 12 px tall: 22 px apart leaves a label's height of air (the lr chart's 7 decades fit 170 px).
  const perLabel = horizontal ? 64 : 22;
  return Math.max(2, Math.min(8, Math.floor(lengthPx / perLabel)));
}

/** Rounds away float noise (0.1 * 3 = 0.30000000000000004), keeping 12 significant digits. */
function clean(v: number): number {
  return Number(v.toPrecision(12));
}

/** Values m × 10^k (m in mantissas, k every `stride` decades) within [min, max], ascending. */
function decadeLadder(min: number, max: number, mantissas: readonly number[], stride = 1): number[] {
  const out: number[] = [];
  const first = Math.floor(Math.log10(min));
  const last = Math.ceil(Math.log10(max));
  for (let k = Math.floor(first / stride) * stride; k <= last; k += stride) {
    for (const m of mantissas) {
      const v = Number(`${m}e${k}`); // parsed, so exactly the double nearest m × 10^k
      if (v >= min * (1 - 1e-12) && v <= max * (1 + 1e-12)) out.push(v);
    }
  }
  return out;
}

/** The range of multiples of `step` within [min, max]: i × step for i in from..to. */
function multiples(min: number, max: number, step: number): { from: number; to: number } {
  return { from: Math.ceil(min / step - 1e-9), to: Math.floor(max / step + 1e-9) };
}

/** First and last of `values` (two labels as far apart as the axis allows), or `values` when fewer. */
function ends(values: number[]): number[] {
  return values.length > 2 ? [values[0], values[values.length - 1]] : values;
}

/**
 * Evenly spaced nice values within [min, max]: the finest step (1, 2 or 5 × 10^k) whose values `fit` (never more
 * than `budget` of them). When the finest fitting step leaves fewer than two (a short range between two nice
 * values), the ends of the next finer step are kept, so two labels always show.
 */
export function niceTicks(min: number, max: number, fits: (values: number[]) => boolean, budget: number): number[] {
  if (!(Number.isFinite(min) && Number.isFinite(max))) return [];
  if (max <= min) return [min];
  const limit = Math.max(2, budget);
  // Starts at about 10 × budget values: finer steps cannot fit.
  let exp = Math.floor(Math.log10((max - min) / limit)) - 1;
  let finer: number[] = [];
  for (let guard = 0; guard < 40; guard++, exp++) {
    for (const m of [1, 2, 5]) {
      const step = m * 10 ** exp;
      const { from, to } = multiples(min, max, step);
      if (to - from + 1 > limit) {
        finer = [clean(from * step), clean(to * step)];
        continue;
      }
      const values: number[] = [];
      for (let i = from; i <= to; i++) values.push(clean(i * step));
      if (fits(values)) return values.length >= 2 ? values : ends(finer);
      finer = values;
    }
  }
  return [min, max];
}

/** At most `budget` evenly spaced nice values on a linear axis over [min, max], at least two. */
export function linearTicks(min: number, max: number, budget: number): number[] {
  const limit = Math.max(2, budget);
  return niceTicks(min, max, (values) => values.length <= limit, limit);
}

/**
 * Tick values for a log axis over [min, max] (min > 0), at most `budget` of them and at least two, none closer
 * than 70% of an even share of the axis: the finest of 1-2-5 per decade, every power of ten, every 2nd/3rd/5th…
 * power; within about a decade also evenly spaced nice values (140, 150, 160), whichever labels more.
 */
export function logTicks(min: number, max: number, budget: number): number[] {
  if (!(min > 0 && max > 0 && Number.isFinite(min) && Number.isFinite(max))) return [];
  if (max < min) return logTicks(max, min, budget);
  if (max === min) return [min];
  const limit = Math.max(2, budget);
  const span = Math.log10(max / min);
  const fits = (values: number[]) =>
    values.length <= limit && values.every((v, i) => i === 0 || Math.log10(v / values[i - 1]) >= (0.7 * span) / limit);
  const oneTwoFive = decadeLadder(min, max, [1, 2, 5]);
  if (fits(oneTwoFive) || oneTwoFive.length < 2) {
    const even = niceTicks(min, max, fits, limit);
    return oneTwoFive.length >= 2 && oneTwoFive.length >= even.length ? oneTwoFive : even;
  }
  for (const stride of [1, 2, 3, 5, 10, 20, 50, 100]) {
    const powers = decadeLadder(min, max, [1], stride);
    if (fits(powers)) return powers.length >= 2 ? powers : ends(oneTwoFive);
  }
  return ends(oneTwoFive);
}

/**
 * A short label: the dashboard's formatNumber ranges (exponential from 1e4 and below 1e-3), written compactly
 * ("1e-5", "2.5e4") and with only the digits the value has, so neighbouring ticks never read the same.
 */
export function formatTick(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const v = clean(value);
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) {
    const [mantissa, exponent] = v.toExponential().split('e');
    return `${Number(Number(mantissa).toPrecision(6))}e${Number(exponent)}`;
  }
  return String(v);
}

/**
 * Chart.js adds an axis's set bounds (a domain of −5..5) to its nice ticks (−4, −2, …), so a bound can sit half
 * a label from its neighbour; the neighbour goes when it is half the regular step away or closer (three ticks stay).
 */
export function spaceBounds(values: readonly number[]): number[] {
  if (values.length < 4) return [...values];
  const steps = values.slice(1).map((v, i) => v - values[i]);
  const regular = [...steps].sort((a, b) => a - b)[Math.floor(steps.length / 2)];
  const crowded = (gap: number) => gap <= 0.5 * regular * (1 + 1e-9);
  const out = [...values];
  if (out.length > 3 && crowded(out[out.length - 1] - out[out.length - 2])) out.splice(out.length - 2, 1);
  if (out.length > 3 && crowded(out[1] - out[0])) out.splice(1, 1);
  return out;
}

/** What a Chart.js scale offers its afterBuildTicks hook (the fields used here). */
export interface BuiltScale {
  type: string;
  min: number;
  max: number;
  width: number;
  height: number;
  ticks: { value: number }[];
  isHorizontal(): boolean;
}

/**
 * Chart.js's afterBuildTicks hook, for every chart: its log scale ticks every 1..9 × 10^k, replaced by values
 * that are all labelled and fit the axis (logTicks). A linear axis keeps Chart.js's ticks (less a tick crowding a set bound) unless they are fewer than two.
 */
export function placeTicks(scale: BuiltScale): void {
  const horizontal = scale.isHorizontal();
  const budget = tickBudget(horizontal ? scale.width : scale.height, horizontal);
  if (scale.type === 'logarithmic') {
    scale.ticks = logTicks(scale.min, scale.max, budget).map((value) => ({ value }));
  } else if (scale.ticks.length < 2) {
    scale.ticks = linearTicks(scale.min, scale.max, budget).map((value) => ({ value }));
  } else {
    const kept = new Set(spaceBounds(scale.ticks.map((t) => t.value)));
    scale.ticks = scale.ticks.filter((t) => kept.has(t.value));
  }
}
