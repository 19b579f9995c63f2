import type { ParamLayout } from '../core/paramLayout';

/** Above this many parameters only slot names are sent (per-coordinate names would dwarf the run's data). */
const PER_COORDINATE_LIMIT = 4096;

function indexOf(flat: number, shape: readonly number[]): number[] {
  const idx: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    idx.unshift(flat % shape[d]);
    flat = Math.floor(flat / shape[d]);
  }
  return idx;
}

/** Names of the flat coordinates: 'x[0]', 'w[1,2]', 'b[0]' (a single tensor is called 'x'). */
export function paramNames(layout: ParamLayout): string[] {
  const slotName = (name: string) => name || 'x';
  if (layout.size > PER_COORDINATE_LIMIT) return layout.slots.map((s) => slotName(s.name));
  return layout.slots.flatMap((s) =>
    Array.from({ length: s.size }, (_, i) => (s.shape.length === 0 ? slotName(s.name) : `${slotName(s.name)}[${indexOf(i, s.shape).join(',')}]`)),
  );
}
