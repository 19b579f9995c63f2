/**
 * Temp buffers that share storage: a temp is live from the first step of a run that names it to the last,
 * and two temps whose lives do not overlap may occupy the same bytes. A step names every buffer it reads
 * or writes (a loop's statements and index expressions, a copy's or fill's target and source, a call's
 * arguments), so a temp is never read outside its life, and each run writes a temp before it reads it
 * (a program gives the same results run after run), so what another temp left there never shows.
 * Fewer bytes in the program's memory means fewer pages touched for the first time on the first run
 * (each costs the kernel a page fault) and more of the working set in cache.
 */
import { operandsOf, type Expr } from '../wasm/loopIR';
import { reservedBytes } from '../wasm/loopModule';
import type { LoopOp, Schedule, Step, TargetIndex } from './schedule';

/** Where each shared temp goes in the shared region (byte offsets, 16-aligned), and the region's size. */
export interface SharedPlacement {
  readonly offsets: ReadonlyMap<number, number>;
  readonly bytes: number;
}

function exprBuffers(e: Expr, out: number[]): void {
  if (e.op === 'read') out.push(e.buf);
  for (const operand of operandsOf(e)) exprBuffers(operand, out);
}

function targetBuffers(at: TargetIndex, out: number[]): void {
  if (at.kind === 'row') exprBuffers(at.row, out);
}

function opBuffers(op: LoopOp, out: number[]): void {
  switch (op.kind) {
    case 'elementwise':
      op.args.forEach((arg) => exprBuffers(arg, out));
      return;
    case 'gather':
      // (rowStarts is an index map, not a buffer.)
      out.push(op.table);
      exprBuffers(op.index, out);
      return;
    case 'store':
      out.push(op.buf);
      return;
    case 'sumSquares':
      return;
    case 'reduceAll':
      out.push(op.buf);
      exprBuffers(op.value, out);
      return;
    case 'reduceRows':
    case 'scatterAdd':
      out.push(op.buf);
      exprBuffers(op.value, out);
      targetBuffers(op.at, out);
      return;
  }
}

/** Every buffer a step names (index maps, IR buffers below 0, are not buffers). */
export function stepBuffers(step: Step): number[] {
  const out: number[] = [];
  switch (step.kind) {
    case 'loop':
      step.loop.ops.forEach((op) => opBuffers(op, out));
      break;
    case 'copy':
      out.push(step.buf);
      exprBuffers(step.value, out);
      break;
    case 'fill':
      out.push(step.buf);
      break;
    case 'set':
      out.push(step.buf, step.from);
      break;
    case 'call':
      for (const arg of step.args) {
        if (typeof arg !== 'object') continue;
        if ('buffer' in arg) out.push(arg.buffer);
        else if ('buffers' in arg) out.push(...arg.buffers);
      }
      break;
  }
  return out.filter((buf) => buf >= 0);
}

/**
 * Offsets in one shared region for the schedule's temps without initial values (others keep their own
 * bytes): the largest first, each at the lowest offset free of every placed temp whose life overlaps its own.
 */
export function sharedTemps(schedule: Schedule): SharedPlacement {
  const first = new Map<number, number>();
  const last = new Map<number, number>();
  schedule.steps.forEach((step, s) => {
    for (const buf of stepBuffers(step)) {
      if (!first.has(buf)) first.set(buf, s);
      last.set(buf, s);
    }
  });
  const temps = [...first.keys()].filter((buf) => schedule.buffers[buf].role === 'temp' && schedule.buffers[buf].init === undefined);
  temps.sort((a, b) => schedule.buffers[b].size - schedule.buffers[a].size || a - b);
  const placed: { from: number; to: number; start: number; end: number }[] = [];
  const offsets = new Map<number, number>();
  let bytes = 0;
  for (const buf of temps) {
    const from = first.get(buf) as number;
    const to = last.get(buf) as number;
    const size = reservedBytes(schedule.buffers[buf].size);
    // Byte ranges of the temps alive at the same time, by start: the first gap that holds this one.
    const busy = placed.filter((p) => p.from <= to && from <= p.to).sort((a, b) => a.start - b.start);
    let start = 0;
    for (const p of busy) {
      if (p.start >= start + size) break;
      start = Math.max(start, p.end);
    }
    placed.push({ from, to, start, end: start + size });
    offsets.set(buf, start);
    bytes = Math.max(bytes, start + size);
  }
  return { offsets, bytes };
}
