/**
 * The swept hyperparameters as axes: each run's value on each dimension of the sweep's space, mapped to
 * [0, 1] (log10 for a log range and for lr, linear for other numbers, evenly spaced positions for values
 * that are not numbers, such as betas tuples). Shared by parallel coordinates and parameter importance.
 */
import type { SweepResult, SweepRun } from '../../src/protocol/sweep';

export interface SweepAxis {
  name: string;
  /** 'category': positions 0..n-1 of `categories`. */
  scale: 'log' | 'linear' | 'category';
  /** The axis's ends in data units (a category axis: 0 and n-1). */
  min: number;
  max: number;
  categories?: string[];
  /** Each run's value in data units (a category: its position), by run index. */
  values: number[];
}

const isNumber = (v: string): boolean => v.trim() !== '' && Number.isFinite(Number(v));

function valueText(result: SweepResult, run: SweepRun, name: string): string {
  return name === 'lr' ? String(run.lr) : run.point[name] ?? '-';
}

/** One axis per swept dimension, in the sweep's order. */
export function sweepAxes(result: SweepResult): SweepAxis[] {
  return result.space.map((dim) => {
    const texts = result.runs.map((run) => valueText(result, run, dim.name));
    if (!texts.every(isNumber)) {
      const categories = [...new Set(texts)];
      return { name: dim.name, scale: 'category', min: 0, max: Math.max(categories.length - 1, 1), categories, values: texts.map((t) => categories.indexOf(t)) };
    }
    const values = texts.map(Number);
    const positive = values.every((v) => v > 0);
    const log = positive && (dim.name === 'lr' || (dim.kind === 'range' && dim.scale === 'log'));
    const lo = Math.min(...values);
    const hi = Math.max(...values);
    // A single value still gets an axis with two ends.
    const [min, max] = hi > lo ? [lo, hi] : log ? [lo / 2, hi * 2] : [lo - 1, hi + 1];
    return { name: dim.name, scale: log ? 'log' : 'linear', min, max, values };
  });
}

/** Where `value` sits on `axis`, 0 at min and 1 at max. */
export function axisPosition(axis: Pick<SweepAxis, 'scale' | 'min' | 'max'>, value: number): number {
  if (axis.scale === 'log') return (Math.log10(value) - Math.log10(axis.min)) / (Math.log10(axis.max) - Math.log10(axis.min));
  return (value - axis.min) / (axis.max - axis.min);
}
