/**
 * Buffer reads inside a WebAssembly loop (emitLoop.ts): element i of a buffer by its Read pattern (loopIR.ts),
 * as one float32 or, in the vector loop, the float32x4 of elements i … i + 3: one load where the pattern gives
 * consecutive elements, else lane by lane. Out-of-range window and map reads give their pad.
 */
import { Op, Simd, type Code } from './binary';
import type { Read } from './loopIR';

type Mode = 'scalar' | 'vector';

/** Byte address of buffer `buf` in the module's memory. */
export type Layout = (buf: number) => number;

/** What the loop's emitter lends the reads. */
export interface ReadContext {
  readonly code: Code;
  readonly layout: Layout;
  /** The index local, and i · 4 (the byte offset of element i). */
  readonly i: number;
  readonly i4: number;
  /** Each movable buffer's offset argument in bytes (a local). */
  readonly starts: ReadonlyMap<number, number>;
  /** Whether the vector loop's i is a multiple of 4: modulo and divide reads take whole vectors. */
  readonly aligned: boolean;
  /** Constant-index reads, loaded once before the loops: their scalar and splatted locals. */
  readonly constants: ReadonlyMap<string, { scalar: number; vector: number }>;
  /** The window segment whose vector loop is being emitted (a window read outside it is its pad), if any. */
  readonly segment: () => { lo: number; hi: number } | undefined;
}

export class LoopReads {
  constructor(private readonly context: ReadContext) {}

  /** Pushes buf read at i as a float32 (scalar) or the float32x4 of i … i + 3 (vector). */
  read(buf: number, read: Read, mode: Mode): Code {
    const code = this.context.code;
    const base = this.context.layout(buf);
    if (read.kind === 'constant') {
      const hoisted = this.context.constants.get(`${buf}:${read.at}`) as { scalar: number; vector: number };
      return code.get(mode === 'vector' ? hoisted.vector : hoisted.scalar);
    }
    const segment = this.context.segment();
    if (read.kind === 'window' && mode === 'vector' && segment && !(read.lo <= segment.lo && segment.hi <= read.hi)) {
      // Outside this segment's window: the pad in every lane (segments never straddle a window's edge).
      return code.simd(Simd.v128Const, ...Array.from({ length: 4 }, () => [...new Uint8Array(new Float32Array([read.pad]).buffer)]).flat());
    }
    if (read.kind === 'offset' || (read.kind === 'window' && mode === 'vector')) {
      // In the vector loop every window read is in range (vectorRange, or this segment's).
      code.get(this.context.i4);
      if (read.k !== 0) code.i32(4 * read.k).op(Op.i32Add);
      this.shift(code, buf);
      return mode === 'vector' ? code.simdMemory(Simd.load, base) : code.memory(Op.f32Load, 2, base);
    }
    if (mode === 'vector' && this.context.aligned && read.kind === 'modulo' && read.m % 4 === 0) {
      // i mod m .. + 3 are consecutive elements (i and m multiples of 4): one load.
      code.get(this.context.i).i32(read.m).op(Op.i32RemU);
      if (read.k) code.i32(read.k).op(Op.i32Add);
      return this.shift(code.i32(2).op(Op.i32Shl), buf).simdMemory(Simd.load, base);
    }
    // ⌊i / d⌋ is one element for all four lanes: one load, splatted.
    if (mode === 'vector' && this.context.aligned && read.kind === 'divide' && read.d % 4 === 0) return this.readLane(buf, read, 0).simd(Simd.f32x4Splat);
    if (mode === 'vector') {
      // Modulo, divide and general reads: lane by lane.
      this.readLane(buf, read, 0);
      code.simd(Simd.f32x4Splat);
      for (const lane of [1, 2, 3]) {
        this.readLane(buf, read, lane);
        code.simd(Simd.f32x4ReplaceLane, lane);
      }
      return code;
    }
    return this.readLane(buf, read, 0);
  }

  /** Pushes buf[map(i + lane)] as a float32 (reads out of range give the pad value). */
  private readLane(buf: number, read: Read, lane: number): Code {
    const code = this.context.code;
    const base = this.context.layout(buf);
    const index = () => {
      code.get(this.context.i);
      if (lane !== 0) code.i32(lane).op(Op.i32Add);
    };
    switch (read.kind) {
      case 'window': {
        // Scalar only: in range ⇔ (i − lo) < (hi − lo) unsigned; out of range loads element 0 and discards it.
        const inRange = () => code.get(this.context.i).i32(read.lo).op(Op.i32Sub).i32(read.hi - read.lo).op(Op.i32LtU);
        code.get(this.context.i4).i32(4 * read.k).op(Op.i32Add).i32(0);
        inRange();
        this.shift(code.op(Op.select), buf).memory(Op.f32Load, 2, base).f32(read.pad);
        inRange();
        return code.op(Op.select);
      }
      case 'modulo':
        index();
        code.i32(read.m).op(Op.i32RemU);
        if (read.k) code.i32(read.k).op(Op.i32Add);
        break;
      case 'divide':
        index();
        code.i32(read.d).op(Op.i32DivU);
        break;
      case 'general': {
        const at = () => {
          index();
          this.shift(code.i32(2).op(Op.i32Shl), read.map).memory(Op.i32Load, 2, this.context.layout(read.map));
        };
        if (!read.padded) {
          at();
          break;
        }
        // map[i] < 0 is a pad: load element 0 and select the pad value instead.
        at();
        code.i32(0);
        at();
        this.shift(code.i32(0).op(Op.i32GeS, Op.select).i32(2).op(Op.i32Shl), buf).memory(Op.f32Load, 2, base).f32(read.pad);
        at();
        code.i32(0).op(Op.i32GeS);
        return code.op(Op.select);
      }
      default:
        index();
    }
    return this.shift(code.i32(2).op(Op.i32Shl), buf).memory(Op.f32Load, 2, base);
  }

  /** Adds a movable buffer's offset to the byte address on the stack. */
  shift(code: Code, buf: number): Code {
    const start = this.context.starts.get(buf);
    return start === undefined ? code : code.get(start).op(Op.i32Add);
  }
}
