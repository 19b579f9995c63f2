/**
 * Incremental min-max reduction of a growing, x-sorted series: consecutive
 * points are grouped in buckets of `size`; each bucket keeps its first,
 * lowest, highest and last point. When there are more than `cap` buckets the
 * size doubles by merging neighbouring buckets (exact for first/min/max/last),
 * so appending is O(1) amortised and a redraw costs O(cap), never O(all
 * points) (Chart.js's decimation re-reduces the full array on every update).
 * Non-finite y values (gaps) stay buckets of their own.
 */
import type { Point } from './series';

function keep(points: readonly Point[]): Point[] {
  if (points.length <= 4) return points.slice();
  let lo = 0;
  let hi = 0;
  for (let i = 1; i < points.length; i++) {
    if (points[i].y < points[lo].y) lo = i;
    if (points[i].y > points[hi].y) hi = i;
  }
  return [...new Set([0, Math.min(lo, hi), Math.max(lo, hi), points.length - 1])].map((i) => points[i]);
}

const isGap = (bucket: readonly Point[]) => bucket.length === 1 && !Number.isFinite(bucket[0].y);

export class PointReducer {
  private buckets: Point[][] = [];
  private pending: Point[] = [];
  private size = 1;
  private cursor = 0;

  constructor(private readonly full: readonly Point[], private readonly cap = 200) {}

  /** Takes the points appended since the last call and returns the reduced view (a new array). */
  view(): Point[] {
    if (this.full.length < this.cursor) this.restart();
    for (; this.cursor < this.full.length; this.cursor++) this.add(this.full[this.cursor]);
    const out: Point[] = [];
    for (const b of this.buckets) for (const p of b) out.push(p);
    for (const p of this.pending) out.push(p);
    return out;
  }

  private restart(): void {
    this.buckets = [];
    this.pending = [];
    this.size = 1;
    this.cursor = 0;
  }

  private add(p: Point): void {
    if (!Number.isFinite(p.y)) {
      this.flush();
      this.buckets.push([p]);
      return;
    }
    this.pending.push(p);
    if (this.pending.length >= this.size) this.flush();
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    this.buckets.push(keep(this.pending));
    this.pending = [];
    if (this.buckets.length > this.cap) this.merge();
  }

  /** Doubles the bucket size: neighbours merge (gaps stay alone). */
  private merge(): void {
    this.size *= 2;
    const merged: Point[][] = [];
    for (let i = 0; i < this.buckets.length; i++) {
      const a = this.buckets[i];
      const b = this.buckets[i + 1];
      if (b && !isGap(a) && !isGap(b)) {
        merged.push(keep([...a, ...b]));
        i++;
      } else {
        merged.push(a);
      }
    }
    this.buckets = merged;
  }
}
