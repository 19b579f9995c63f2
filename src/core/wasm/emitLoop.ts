/**
 * A LoopIR as one WebAssembly function: a vector loop over 4 elements at a
 * time (128-bit SIMD) where every read is in range, and scalar loops for the
 * rest (the pads of windowed reads, the tail). Results are the same as the
 * plain-JS loop's, bit for bit, except the order in which sums accumulate.
 * A loop with no range where all its windowed reads hold at once (a
 * concatenation's windows side by side) gets a vector loop per range between
 * window edges instead (windowSegments), each window read there either in
 * range or its pad throughout; its sums then add lane by lane in index order,
 * as the scalar loop did (the same bits). Values that repeat with a period of
 * channels (periodicValues.ts) are computed once per block of four channels
 * before the vector loop, which then runs one copy of its body per block.
 */
import { Code, Op, Simd, type ValType } from './binary';
import { MathImports, emitMathCall } from './emitMathCall';
import { LoopReads, type Layout } from './emitReads';
import { RowReductions } from './emitRowReductions';
import { EXACT_IN_F32, kindOf, vectorRange, windowSegments, type Kind } from './laneKinds';
import { BIN32, BIN64, CMP32, CMP64, REDUCE64, UN32, UN64 } from './opcodes';
import { INITIAL, operandsOf, type BinaryOp, type Expr, type LoopIR } from './loopIR';
import { periodicValues, type PeriodicValues } from './periodicValues';

type Mode = 'scalar' | 'vector';

export type { Layout } from './emitReads';

const BLOCK_EMPTY = 0x40;

/** The loop's function; Math calls go to `imports` (which the module must import first, in that order). */
export function emitLoop(ir: LoopIR, layout: Layout, imports = new MathImports()): Code {
  return new LoopEmitter(ir, layout, imports).emit();
}

class LoopEmitter {
  private readonly code: Code;
  private readonly i: number;
  private readonly i4: number;
  private readonly kinds = new Map<number, Kind>();
  /** Per mode: a local's wasm locals (one, or two float64x2 halves in vector mode). */
  private readonly locals: Record<Mode, Map<number, number[]>> = { scalar: new Map(), vector: new Map() };
  private readonly splats = new Map<number, number>();
  private readonly constants = new Map<string, { scalar: number; vector: number }>();
  private readonly accScalar: number[] = [];
  private readonly accVector: [number, number][] = [];
  /** Each movable buffer's offset argument in bytes (a local, set before the loops). */
  private readonly starts = new Map<number, number>();
  private zero = -1;
  private readonly rows: RowReductions;
  private readonly reads: LoopReads;
  /** Whether the vector loop's i is a multiple of 4 (vectorRange starts there): modulo and divide reads take whole vectors. */
  private readonly aligned: boolean;
  /** Ranges of i between window edges, each with a vector loop of its own (windowSegments); empty when vectorRange is not. */
  private readonly segments: readonly { lo: number; hi: number }[];
  /** The range whose vector loop is being emitted: a window read outside it is its pad. */
  private segment: { lo: number; hi: number } | undefined;
  /** Values computed once per block of four channels (periodicValues.ts), if the loop has any. */
  private readonly periodic: PeriodicValues | undefined;
  /** In the vector loop's copy for one block of channels: that block's periodic values' locals (one, or two float64x2 halves). */
  private hoisted: Map<Expr, number[]> | undefined;

  constructor(private readonly ir: LoopIR, private readonly layout: Layout, private readonly imports: MathImports) {
    this.code = new Code([...ir.scalars, ...(ir.movable ?? []).map((): ValType => 'i32')], ir.accumulators.filter((a) => a.into === 'return').map((): ValType => 'f64'));
    this.i = this.code.local('i32');
    this.i4 = this.code.local('i32');
    // Segment vector loops start at multiples of 4 (so aligned); rows have their own alignment rule (RowReductions).
    this.segments = ir.rowReductions?.length ? [] : windowSegments(ir);
    const range = vectorRange(ir);
    this.aligned = this.segments.length > 0 || range.lo % 4 === 0;
    this.periodic = this.segments.length === 0 && range.hi > range.lo ? periodicValues(ir, range.lo, range.hi) : undefined;
    const emitters = { emit64: (e: Expr, mode: Mode, half: number) => this.emit64(e, mode, half), emit32x4: (e: Expr) => this.emit32(e, 'vector') };
    this.rows = new RowReductions(ir, { code: this.code, layout, i: this.i, zero: () => this.zero, isF32: (e) => this.kind(e) === 'f32', ...emitters });
    ir.movable?.forEach((buf) => this.starts.set(buf, this.code.local('i32')));
    const { code, i, i4, starts, aligned, constants } = this;
    this.reads = new LoopReads({ code, layout, i, i4, starts, aligned, constants, segment: () => this.segment });
    for (const statement of ir.body) if (statement.op === 'let') this.kinds.set(statement.id, kindOf(statement.value, this.kinds, ir.scalars));
  }

  emit(): Code {
    const code = this.code;
    const { lo, hi } = vectorRange(this.ir);
    const vector = hi > lo;
    this.zero = code.local('v128');
    this.ir.movable?.forEach((buf, k) => code.get(this.ir.scalars.length + k).i32(2).op(Op.i32Shl).set(this.starts.get(buf) as number));
    code.simd(Simd.v128Const, ...new Array<number>(16).fill(0)).set(this.zero);
    this.ir.accumulators.forEach((a, k) => {
      this.accScalar[k] = code.local('f64');
      code.f64(INITIAL[a.op]).set(this.accScalar[k]);
      if (vector) {
        this.accVector[k] = [code.local('v128'), code.local('v128')];
        for (const half of this.accVector[k]) code.f64(INITIAL[a.op]).simd(Simd.f64x2Splat).set(half);
      }
    });
    this.hoistConstants(vector || this.segments.length > 0);
    this.rows.start();
    if (this.segments.length > 0) {
      for (const segment of this.segments) {
        this.scalarLoop(segment.lo);
        this.vectorLoop(segment.hi, segment);
      }
      this.segment = undefined;
      this.scalarLoop(this.ir.size);
    } else {
      this.scalarLoop(vector ? lo : this.ir.size);
      if (vector) this.vectorLoop(hi);
      if (vector) this.scalarLoop(this.ir.size);
    }
    this.rows.end();
    this.finish(vector);
    return code;
  }

  /**
   * for (; i + 4 <= hi; i += 4) the body on four elements (`segment`: the window segment it runs over, if any).
   * With periodic values, a turn is one copy of the body per block of four channels of the period, each
   * reading its block's values from locals; the vectors short of a whole turn are left to the scalar loop.
   */
  private vectorLoop(hi: number, segment?: { lo: number; hi: number }): void {
    this.segment = segment;
    const code = this.code;
    const columns = this.periodic || segment ? undefined : this.rows.columnPeriod(vectorRange(this.ir).lo, hi);
    const tables = this.periodic && !segment ? this.periodicTables(this.periodic) : new Array<undefined>(columns === undefined ? 1 : columns / 4).fill(undefined);
    if (columns !== undefined) this.rows.hold(columns);
    const last = hi - 4 * tables.length;
    // The test at the bottom (entered when a turn fits): values computed before the loop stay there, where
    // V8 moves them into a loop whose body does not reach every exit (a test at the top).
    code.get(this.i).i32(last).op(Op.i32LeS).op(Op.if, BLOCK_EMPTY, Op.loop, BLOCK_EMPTY);
    tables.forEach((table, block) => {
      this.hoisted = table;
      this.rows.setBlock(block);
      code.get(this.i).i32(2).op(Op.i32Shl).set(this.i4);
      this.body('vector');
      code.get(this.i).i32(4).op(Op.i32Add).set(this.i);
    });
    this.hoisted = undefined;
    code.get(this.i).i32(last).op(Op.i32LeS).op(Op.brIf, 0, Op.end, Op.end);
    this.rows.release();
  }

  /** Before the vector loop (i at its start, a multiple of the period): each block of channels' periodic values, into locals. */
  private periodicTables({ period, values, reads }: PeriodicValues): Map<Expr, number[]>[] {
    const code = this.code;
    const start = code.local('i32');
    code.get(this.i).set(start);
    const tables: Map<Expr, number[]>[] = [];
    const widened = this.readsWidened(new Set(reads));
    for (let block = 0; block < period / 4; block++) {
      const table = new Map<Expr, number[]>();
      for (const value of values) {
        const halves = this.kind(value) === 'f32' ? [code.local('v128')] : [code.local('v128'), code.local('v128')];
        if (halves.length === 1) this.emit32(value, 'vector').set(halves[0]);
        else halves.forEach((local, half) => this.emit64(value, 'vector', half).set(local));
        table.set(value, halves);
      }
      // A read's two float64x2 halves, as emit64 computes them (read, then widened).
      for (const read of widened) {
        const halves = [code.local('v128'), code.local('v128')];
        halves.forEach((local, half) => this.emit64(read, 'vector', half).set(local));
        table.set(read, halves);
      }
      tables.push(table);
      code.get(this.i).i32(4).op(Op.i32Add).set(this.i);
    }
    code.get(start).set(this.i);
    return tables;
  }

  /**
   * Of `reads`, those the body widens to float64 (emit64 reaches them; emit32's choices followed): only those
   * are worth locals, emit32 reads the others as before.
   */
  private readsWidened(reads: ReadonlySet<Expr>): Expr[] {
    const found = new Set<Expr>();
    const in64 = (e: Expr): void => {
      if (this.kind(e) !== 'f32') operandsOf(e).forEach(in64);
      else if (reads.has(e)) found.add(e);
      else in32(e);
    };
    const in32 = (e: Expr): void => {
      if (e.op !== 'fr') return operandsOf(e).forEach(in32);
      const x = e.a;
      const exact = EXACT_IN_F32.has(x.op) && operandsOf(x).every((operand) => this.kind(operand) === 'f32');
      if (this.kind(x) === 'f32') in32(x);
      else if (exact) operandsOf(x).forEach(in32);
      else in64(x);
    };
    for (const statement of this.ir.body) {
      if (statement.op === 'store') in32({ op: 'fr', a: statement.value });
      else if (statement.op === 'let' && this.kind(statement.value) === 'f32') in32(statement.value);
      else in64(statement.value);
    }
    return [...found];
  }

  private scalarLoop(until: number): void {
    const code = this.code;
    code.op(Op.block, BLOCK_EMPTY, Op.loop, BLOCK_EMPTY);
    code.get(this.i).i32(until).op(Op.i32GeS, Op.brIf, 1);
    code.get(this.i).i32(2).op(Op.i32Shl).set(this.i4);
    this.body('scalar');
    code.get(this.i).i32(1).op(Op.i32Add).set(this.i);
    code.op(Op.br, 0, Op.end, Op.end);
  }

  /** Constant-index reads (a broadcast scalar) load once, before the loops. */
  private hoistConstants(vector: boolean): void {
    const code = this.code;
    const visit = (e: Expr): void => {
      if (e.op === 'read' && e.read.kind === 'constant') {
        const key = `${e.buf}:${e.read.at}`;
        if (!this.constants.has(key)) {
          const scalar = code.local('f32');
          const vec = code.local('v128');
          this.reads.shift(code.i32(0), e.buf).memory(Op.f32Load, 2, this.layout(e.buf) + 4 * e.read.at).tee(scalar);
          code.simd(Simd.f32x4Splat).set(vec);
          this.constants.set(key, { scalar, vector: vec });
        }
      }
      operandsOf(e).forEach(visit);
    };
    this.ir.body.forEach((statement) => visit(statement.value));
    if (!vector) return;
    this.ir.scalars.forEach((kind, index) => {
      const splat = code.local('v128');
      code.get(index).simd(kind === 'f32' ? Simd.f32x4Splat : Simd.f64x2Splat).set(splat);
      this.splats.set(index, splat);
    });
  }

  private body(mode: Mode): void {
    const code = this.code;
    for (const statement of this.ir.body) {
      if (statement.op === 'let') {
        const kind = this.kinds.get(statement.id) as Kind;
        let slots = this.locals[mode].get(statement.id);
        if (!slots) {
          const type: ValType = mode === 'vector' ? 'v128' : kind;
          slots = mode === 'vector' && kind === 'f64' ? [code.local(type), code.local(type)] : [code.local(type)];
          this.locals[mode].set(statement.id, slots);
        }
        if (kind === 'f32') this.emit32(statement.value, mode).set(slots[0]);
        else slots.forEach((slot, half) => this.emit64(statement.value, mode, half).set(slot));
      } else if (statement.op === 'store') {
        this.reads.shift(code.get(this.i4), statement.buf);
        this.emit32({ op: 'fr', a: statement.value }, mode);
        if (mode === 'vector') code.simdMemory(Simd.store, this.layout(statement.buf));
        else code.memory(Op.f32Store, 2, this.layout(statement.buf));
      } else {
        const [scalarOp, vectorOp] = REDUCE64[this.ir.accumulators[statement.acc].op];
        if (mode === 'vector' && this.segment) {
          this.addInOrder(statement.acc, statement.value, scalarOp);
        } else if (mode === 'scalar') {
          code.get(this.accScalar[statement.acc]);
          this.emit64(statement.value, mode, 0).op(scalarOp).set(this.accScalar[statement.acc]);
        } else {
          this.accVector[statement.acc].forEach((slot, half) => {
            code.get(slot);
            this.emit64(statement.value, mode, half).simd(vectorOp).set(slot);
          });
        }
      }
    }
    this.rows.update(mode);
  }

  /** The four lanes of value into the scalar accumulator one after another, in index order (segment loops). */
  private addInOrder(acc: number, value: Expr, op: number): void {
    const code = this.code;
    const lanes = code.local('v128');
    for (const half of [0, 1]) {
      this.emit64(value, 'vector', half).set(lanes);
      for (const lane of [0, 1]) code.get(this.accScalar[acc]).get(lanes).simd(Simd.f64x2ExtractLane, lane).op(op).set(this.accScalar[acc]);
    }
  }

  /** Combines the vector accumulators' lanes into the scalar ones and stores or returns each. */
  private finish(vector: boolean): void {
    const code = this.code;
    const returned: number[] = [];
    this.ir.accumulators.forEach((a, k) => {
      const [combine] = REDUCE64[a.op];
      if (vector) {
        for (const slot of this.accVector[k]) {
          for (const lane of [0, 1]) code.get(this.accScalar[k]).get(slot).simd(Simd.f64x2ExtractLane, lane).op(combine).set(this.accScalar[k]);
        }
      }
      if (a.into === 'return') returned.push(k);
      else {
        this.reads.shift(code.i32(0), a.into.buf).get(this.accScalar[k]);
        if (a.into.divideBy !== undefined) code.f64(a.into.divideBy).op(Op.f64Div);
        code.op(Op.f32DemoteF64).memory(Op.f32Store, 2, this.layout(a.into.buf) + 4 * a.into.at);
      }
    });
    for (const k of returned) code.get(this.accScalar[k]);
  }

  // --- expressions ----------------------------------------------------------

  private kind(e: Expr): Kind {
    return kindOf(e, this.kinds, this.ir.scalars);
  }

  /** Pushes e as float32 (scalar) or float32x4 (vector); e must be of kind f32 or an `fr`. */
  private emit32(e: Expr, mode: Mode): Code {
    const code = this.code;
    const vector = mode === 'vector';
    const hoisted = vector ? this.hoisted?.get(e) : undefined;
    if (hoisted?.length === 1) return code.get(hoisted[0]);
    switch (e.op) {
      case 'lit':
        return vector ? code.simd(Simd.v128Const, ...Array.from({ length: 4 }, () => [...new Uint8Array(new Float32Array([e.value]).buffer)]).flat()) : code.f32(e.value);
      case 'scalar':
        return code.get(vector ? (this.splats.get(e.index) as number) : e.index);
      case 'read':
        return this.reads.read(e.buf, e.read, mode);
      case 'local':
        return code.get((this.locals[mode].get(e.id) as number[])[0]);
      case 'fr': {
        const x = e.a;
        if (this.kind(x) === 'f32') return this.emit32(x, mode);
        if (EXACT_IN_F32.has(x.op) && 'a' in x && this.kind(x.a) === 'f32' && (!('b' in x) || this.kind(x.b) === 'f32')) {
          this.emit32(x.a, mode);
          if (x.op === 'sqrt') return code.op(...this.pick(UN32.sqrt, mode));
          this.emit32((x as { b: Expr }).b, mode);
          return code.op(...this.pick(BIN32[x.op as BinaryOp], mode));
        }
        if (!vector) return this.emit64(x, mode, 0).op(Op.f32DemoteF64);
        this.emit64(x, mode, 0).simd(Simd.f32x4DemoteF64x2Zero);
        this.emit64(x, mode, 1).simd(Simd.f32x4DemoteF64x2Zero);
        return code.shuffle32([0, 1, 4, 5]);
      }
      case 'select':
        this.emit32(e.a, mode);
        this.emit32(e.b, mode);
        this.emit32(e.test.a, mode);
        this.emit32(e.test.b, mode);
        code.op(...this.pick(CMP32[e.test.cmp], mode));
        return vector ? code.simd(Simd.bitselect) : code.op(Op.select);
      case 'neg': case 'abs': case 'floor': case 'ceil':
        return this.emit32(e.a, mode).op(...this.pick(UN32[e.op], mode));
      case 'min': case 'max':
        this.emit32(e.a, mode);
        return this.emit32(e.b, mode).op(...this.pick(BIN32[e.op], mode));
      default:
        throw new Error(`${e.op} is not a float32 value`);
    }
  }

  /** Pushes e in float64: a float64 (scalar) or float64x2 of lanes 2·half, 2·half + 1 (vector). */
  private emit64(e: Expr, mode: Mode, half: number): Code {
    const code = this.code;
    const vector = mode === 'vector';
    const hoisted = vector ? this.hoisted?.get(e) : undefined;
    if (hoisted?.length === 2) return code.get(hoisted[half]);
    if (e.op === 'lit') return vector ? code.simd(Simd.v128Const, ...[0, 1].flatMap(() => [...new Uint8Array(new Float64Array([e.value]).buffer)])) : code.f64(e.value);
    if (e.op === 'scalar' && this.ir.scalars[e.index] === 'f64') return code.get(vector ? (this.splats.get(e.index) as number) : e.index);
    if (e.op === 'local' && this.kinds.get(e.id) === 'f64') return code.get((this.locals[mode].get(e.id) as number[])[vector ? half : 0]);
    if (this.kind(e) === 'f32') {
      this.emit32(e, mode);
      if (!vector) return code.op(Op.f64PromoteF32);
      if (half === 1) code.get(this.zero).shuffle32([2, 3, 4, 4]);
      return code.simd(Simd.f64x2PromoteLowF32x4);
    }
    switch (e.op) {
      case 'add': case 'sub': case 'mul': case 'div': case 'min': case 'max':
        this.emit64(e.a, mode, half);
        return this.emit64(e.b, mode, half).op(...this.pick(BIN64[e.op], mode));
      case 'neg': case 'abs': case 'sqrt': case 'floor': case 'ceil':
        return this.emit64(e.a, mode, half).op(...this.pick(UN64[e.op], mode));
      case 'select':
        this.emit64(e.a, mode, half);
        this.emit64(e.b, mode, half);
        this.emit64(e.test.a, mode, half);
        this.emit64(e.test.b, mode, half);
        code.op(...this.pick(CMP64[e.test.cmp], mode));
        return vector ? code.simd(Simd.bitselect) : code.op(Op.select);
      case 'call':
        return emitMathCall(this.code, e, mode === 'vector', half, this.imports, (a, h) => this.emit64(a, mode, h));
      default:
        throw new Error(`cannot emit ${e.op} in float64`);
    }
  }

  /** The scalar opcode, or the SIMD one with its prefix. */
  private pick([scalar, simd]: [number, number], mode: Mode): number[] {
    return mode === 'scalar' ? [scalar] : [0xfd, ...(simd < 0x80 ? [simd] : [simd & 0x7f | 0x80, simd >> 7])];
  }
}
