/**
 * The state of fusion, stage 3 of compileProgram: where each value lives, the buffers and index maps so far, the
 * steps emitted, and the open loop (the one the next loop-shaped kernel of the same size joins when it can read
 * its operands there). fuseLoops.ts walks the kernels and hands each to its lowering (loopKernels.ts,
 * viewKernels.ts, constantKernels.ts, standaloneCalls.ts), which works through the methods here.
 */
import { lit, type Expr, type Read } from '../wasm/loopIR';
import { broadcastMap, broadcastPattern, classifyMap, composeMaps } from './indexMaps';
import { sizeOf, type KernelNode, type ValueId } from './program';
import { sameBitsThroughout } from './constantKernels';
import type { BufferSpec, LoopOp, Schedule, Step } from './schedule';
import type { ValueGraph } from './valueGraph';
import { isBefore, newLoop, type OpenLoop } from './openLoop';

/** Where a value lives. */
export type Placement =
  /** The same number in every element, known now: written into the code. */
  | { readonly kind: 'literal'; readonly value: number }
  | { readonly kind: 'buffer'; readonly buf: number }
  /** Element i is element map[i] of `base` (`pad` where map[i] < 0), read in place, never copied. */
  | { readonly kind: 'view'; readonly base: ValueId; readonly map: Int32Array; readonly pad: number }
  /** Computed per element by an open loop: readable only there, at the same index. */
  | { readonly kind: 'local'; readonly loop: OpenLoop; readonly local: number }
  /** Accumulated into `buf` by an open loop (a reduction, a scatter): readable once that loop has closed. */
  | { readonly kind: 'accumulating'; readonly loop: OpenLoop; readonly buf: number }
  /** A local nothing outside its own loop read, so it was never stored. */
  | { readonly kind: 'discarded' };

/** What reading a value inside a loop gives when the value is not readable there (yet). */
export const NOT_HERE = Symbol('not readable in this loop');
export type Operand = Expr | typeof NOT_HERE;

export class LoopFuser {
  private readonly placements = new Map<ValueId, Placement>();
  private readonly buffers: BufferSpec[] = [];
  private readonly maps: Int32Array[] = [];
  private readonly steps: Step[] = [];
  /** Where emit() puts steps: the innermost `before` list of a loop kept open (see beforeOpen), else `steps`. */
  private readonly targets: Step[][] = [];
  private readonly outputSlots = new Map<ValueId, number>();
  private readonly usedSlots = new Set<number>();
  /** Output slots already handed to an output by writeOutput. */
  private readonly writtenSlots = new Set<number>();
  /** Roots of the outputs whose squared norms are asked for, and their slots; those summed inside a loop. */
  private readonly normRoots = new Map<ValueId, number>();
  private readonly normsInLoops = new Set<number>();
  /** Views and literals materialize copied, by root. */
  private readonly copies = new Map<ValueId, number>();
  private open: OpenLoop | undefined;
  private localCount = 0;

  constructor(readonly graph: ValueGraph, private readonly squaredNormOf: readonly number[]) {
    const { inputs, outputs } = graph.program;
    inputs.forEach((id) => this.placements.set(id, { kind: 'buffer', buf: this.addBuffer({ size: graph.sizeOf(id), role: 'input' }) }));
    outputs.forEach((id) => {
      const root = graph.root(id);
      if (!this.outputSlots.has(root)) this.outputSlots.set(root, this.addBuffer({ size: graph.sizeOf(id), role: 'output' }));
    });
    squaredNormOf.forEach((output, slot) => this.normRoots.set(graph.root(outputs[output]), slot));
  }

  // --- where values live ----------------------------------------------------

  placementOf(id: ValueId): Placement {
    const root = this.graph.root(id);
    let placement = this.placements.get(root);
    if (!placement) {
      // A constant captured when traced: one number in every element is a literal.
      const source = this.graph.sourceOf(root);
      if (source.kind !== 'constant') throw new Error(`value ${root} used before it was computed`);
      const values = source.values;
      placement = sameBitsThroughout(values)
        ? { kind: 'literal', value: values[0] }
        : { kind: 'buffer', buf: this.addBuffer({ size: values.length, role: 'constant', init: values }) };
      this.placements.set(root, placement);
    }
    return placement;
  }
  place(id: ValueId, placement: Placement): void {
    this.placements.set(id, placement);
  }
  addBuffer(spec: BufferSpec): number {
    this.buffers.push(spec);
    return this.buffers.length - 1;
  }
  /** The index of a new index map. */
  addMap(map: Int32Array): number {
    this.maps.push(map);
    return this.maps.length - 1;
  }
  /** A buffer for a value about to be stored: the caller's output array when the value is an output. */
  storageFor(root: ValueId): number {
    const slot = this.outputSlots.get(root);
    if (slot !== undefined && !this.usedSlots.has(slot)) {
      this.usedSlots.add(slot);
      return slot;
    }
    return this.addBuffer({ size: this.graph.sizeOf(root), role: 'temp' });
  }
  isOutput(root: ValueId): boolean {
    return this.outputSlots.has(root);
  }
  /** Whether value `id` is known at compile time (a captured constant or a literal). */
  knownNow(id: ValueId): boolean {
    return this.graph.sourceOf(this.graph.root(id)).kind === 'constant' || this.placementOf(id).kind === 'literal';
  }
  /** The values of a value known at compile time (see knownNow). */
  valuesNow(id: ValueId): Float32Array {
    const source = this.graph.sourceOf(this.graph.root(id));
    if (source.kind === 'constant') return source.values;
    // A literal stands for every element (Fill, ZerosLike): one value per element, not one in all.
    return new Float32Array(this.graph.sizeOf(id)).fill((this.placementOf(id) as { value: number }).value);
  }

  // --- operands ---------------------------------------------------------------

  /** Element i of value `id` broadcast to `outShape` as an operand of `loop` (undefined: a copy of its own). */
  read(id: ValueId, outShape: readonly number[], loop?: OpenLoop): Operand {
    const placement = this.placementOf(id);
    const inShape = this.graph.shapeOf(id);
    const same = sizeOf(inShape) === sizeOf(outShape);
    const broadcast = () => broadcastMap(inShape, outShape);
    switch (placement.kind) {
      case 'literal':
        return lit(placement.value);
      case 'local':
      case 'accumulating':
      case 'buffer': {
        if (placement.kind === 'local' && placement.loop === loop) return same ? { op: 'local', id: placement.local } : NOT_HERE;
        // Elsewhere a local or a sum is read from its buffer, where it has one here.
        const buf = this.bufferHere(placement, id, loop);
        return buf === undefined ? NOT_HERE : this.readWhole(buf, inShape, outShape);
      }
      case 'view': {
        const buf = this.bufferHere(this.placementOf(placement.base), placement.base, loop);
        if (buf === undefined) return NOT_HERE;
        return this.readBuffer(buf, same ? placement.map : composeMaps(placement.map, broadcast()), placement.pad);
      }
      case 'discarded':
        throw new Error(`value ${id} was not kept`);
    }
  }

  /**
   * The buffer value `id` can be read from in `loop`: a stored value's; or, for a value of a loop open before `loop`
   * (which closes and runs first), the buffer of its sum or the one its local will be stored into. Undefined otherwise.
   */
  private bufferHere(placement: Placement, id: ValueId, loop: OpenLoop | undefined): number | undefined {
    if (placement.kind === 'buffer') return placement.buf;
    if ((placement.kind !== 'local' && placement.kind !== 'accumulating') || !loop || !isBefore(placement.loop, loop)) return undefined;
    return placement.kind === 'accumulating' ? placement.buf : this.storedBy(placement.loop, id);
  }

  /** The buffer `earlier` stores value `id` (one of its locals) into when it closes, chosen now for a later loop to read. */
  private storedBy(earlier: OpenLoop, id: ValueId): number {
    const root = this.graph.root(id);
    let buf = earlier.storeInto.get(root);
    if (buf === undefined) {
      buf = this.storageFor(root);
      earlier.storeInto.set(root, buf);
    }
    return buf;
  }

  /** A buffer of inShape broadcast to outShape. */
  private readWhole(buf: number, inShape: readonly number[], outShape: readonly number[]): Expr {
    if (sizeOf(inShape) === sizeOf(outShape)) return this.readBuffer(buf, undefined, 0);
    // A bias spread over rows, a row's statistic over its row: the pattern without a map of the output's size.
    const pattern = broadcastPattern(inShape, outShape);
    return pattern ? { op: 'read', buf, read: pattern as Read } : this.readBuffer(buf, broadcastMap(inShape, outShape), 0);
  }

  /** Element map[i] of value `id`, or NOT_HERE when it is not in a buffer (yet). */
  readMapped(id: ValueId, map: Int32Array): Operand {
    const placement = this.placementOf(id);
    if (placement.kind === 'literal') return lit(placement.value);
    if (placement.kind === 'buffer') return this.readBuffer(placement.buf, map, 0);
    if (placement.kind !== 'view') return NOT_HERE;
    const base = this.placementOf(placement.base);
    return base.kind === 'buffer' ? this.readBuffer(base.buf, composeMaps(placement.map, map), placement.pad) : NOT_HERE;
  }

  /** A read of buffer[map[i]] (map undefined: element i), as the cheapest index pattern that gives it. */
  private readBuffer(buf: number, map: Int32Array | undefined, pad: number): Expr {
    const at = (read: Read): Expr => ({ op: 'read', buf, read });
    if (!map) return at({ kind: 'offset', k: 0 });
    const pattern = classifyMap(map);
    if (pattern.kind === 'window') return at({ ...pattern, pad });
    // In the IR, map k is buffer −(k + 1) (maps live after the buffers in WebAssembly memory).
    if (pattern.kind === 'general') return at({ kind: 'general', map: -(this.addMap(map) + 1), padded: pattern.padded, pad });
    return at(pattern);
  }

  // --- loops ----------------------------------------------------------------

  /** Whether one of node's inputs is computed by the open loop or a loop open before it (closeLoop closes them all). */
  dependsOnOpen(node: KernelNode): boolean {
    for (let loop = this.open; loop; loop = loop.inner) if (this.dependsOn(node, loop)) return true;
    return false;
  }
  private dependsOn(node: KernelNode, loop: OpenLoop): boolean {
    return node.inputs.some((input) => this.computedIn(this.placementOf(input.value), loop));
  }
  /** Whether every input of node that `loop` computes is one of its sums (read after it from their buffers). */
  private readsOnlySumsOf(node: KernelNode, loop: OpenLoop): boolean {
    return node.inputs.every((input) => {
      const placement = this.placementOf(input.value);
      return !this.computedIn(placement, loop) || placement.kind === 'accumulating';
    });
  }
  private computedIn(placement: Placement, loop: OpenLoop): boolean {
    if (placement.kind === 'local' || placement.kind === 'accumulating') return placement.loop === loop;
    if (placement.kind === 'view') return this.computedIn(this.placementOf(placement.base), loop);
    return false;
  }

  /**
   * Puts a loop-shaped node (elementwise, or a reduction over `size` elements) into a loop that can
   * hold it: the open one when the sizes match and `add` can read the operands there; otherwise,
   * when it does not depend on the open loop, the loop open before it (the same rules there, so
   * successive kernels independent of the open loop fuse with each other); else a new loop after it.
   */
  inLoop(node: KernelNode, size: number, add: (loop: OpenLoop) => boolean): void {
    const open = this.open;
    if (open && open.size === size && add(open)) return;
    if (open && !this.dependsOn(node, open)) {
      this.beforeOpen(() => this.inLoop(node, size, add));
      return;
    }
    if (open && open.size !== size && this.readsOnlySumsOf(node, open)) {
      // A kernel of another size reading only the open loop's sums (batch norm's per-channel statistics): a loop after
      // it, the open one kept open before it (its `inner`), where later kernels that do not need this one still fuse.
      const after = newLoop(size);
      after.inner = open;
      this.open = after;
      if (add(after)) return;
      this.open = open;
    }
    this.closeLoop();
    this.open = newLoop(size);
    if (!add(this.open)) throw new Error(`kernel ${node.kernel} cannot read its inputs in a fresh loop`);
  }

  /**
   * Runs `body` with the open loop set aside: what it emits goes before that loop, and the loop it
   * leaves open stays open there (the open loop's `inner`) for the next such body.
   */
  beforeOpen(body: () => void): void {
    const saved = this.open;
    if (!saved) {
      body();
      return;
    }
    this.open = saved.inner;
    this.targets.push(saved.before);
    try {
      body();
    } finally {
      saved.inner = this.open;
      this.targets.pop();
      this.open = saved;
    }
  }

  /** Runs `body` among the innermost open loop's steps before: after every step emitted so far (beforeOpen's may not). */
  beforeOpenLoops(body: () => void): void {
    if (!this.open) body();
    else this.beforeOpen(() => this.beforeOpenLoops(body));
  }

  /** Adds value `out` of node `index`, computed per element by `op`, to `loop`. */
  addLocal(loop: OpenLoop, out: ValueId, index: number, op: (local: number) => LoopOp): void {
    const local = ++this.localCount;
    loop.ops.push(op(local));
    loop.locals.set(out, local);
    loop.members.add(index);
    this.placements.set(out, { kind: 'local', loop, local });
  }

  /** Adds value `out` of node `index`, accumulated into op.buf by `op`, to `loop`. */
  accumulate(loop: OpenLoop, out: ValueId, index: number, op: LoopOp & { readonly buf: number }): void {
    loop.ops.push(op);
    loop.members.add(index);
    loop.accumulating.add(out);
    this.placements.set(out, { kind: 'accumulating', loop, buf: op.buf });
  }

  /** Ends the open loop: stores every local read outside it, and its accumulated values become buffers. */
  closeLoop(): void {
    const loop = this.open;
    if (!loop) return;
    if (loop.inner) {
      // The loop open before this one closes first, into this one's `before` steps.
      this.beforeOpen(() => this.closeLoop());
    }
    this.open = undefined;
    for (const [root, local] of loop.locals) {
      const readOutside = [...this.graph.readersOf(root)].some((node) => !loop.members.has(node)) || this.outputSlots.has(root);
      if (!readOutside) {
        this.placements.set(root, { kind: 'discarded' });
        continue;
      }
      const buf = loop.storeInto.get(root) ?? this.storageFor(root);
      loop.ops.push({ kind: 'store', buf, local });
      this.sumSquaresInLoop(loop, root, local);
      this.placements.set(root, { kind: 'buffer', buf });
    }
    for (const root of loop.accumulating) this.placements.set(root, { kind: 'buffer', buf: (this.placements.get(root) as { buf: number }).buf });
    for (const step of loop.before) this.emit(step);
    if (loop.ops.length > 0) this.emit({ kind: 'loop', loop: { size: loop.size, ops: loop.ops } });
  }

  /** When `root` is an output whose squared norm is asked for, sums its squares in the loop that stores it (no second pass). */
  private sumSquaresInLoop(loop: OpenLoop, root: ValueId, local: number): void {
    const slot = this.normRoots.get(root);
    if (slot === undefined || this.normsInLoops.has(slot) || loop.sumsSquares) return;
    this.normsInLoops.add(slot);
    loop.sumsSquares = true;
    loop.ops.push({ kind: 'sumSquares', slot, local });
  }

  emit(step: Step): void {
    (this.targets[this.targets.length - 1] ?? this.steps).push(step);
  }

  /**
   * The buffer holding value `id`, copying a view or a literal into a new one (before the open loops, after every
   * step so far), once: a slice of the parameters two products read (a layer's weights, forward and backward) is one copy.
   */
  materialize(id: ValueId): number {
    const placement = this.placementOf(id);
    if (placement.kind === 'buffer') return placement.buf;
    const copied = this.copies.get(this.graph.root(id));
    if (copied !== undefined) return copied;
    const size = this.graph.sizeOf(id);
    const buf = this.addBuffer({ size, role: 'temp' });
    const value = this.read(id, this.graph.shapeOf(id));
    if (value === NOT_HERE) throw new Error('materialize: the value is still in an open loop');
    this.beforeOpenLoops(() => this.emit({ kind: 'copy', buf, size, value, counted: true }));
    this.copies.set(this.graph.root(id), buf);
    return buf;
  }

  /** Closes the last loop and puts every output into its slot: the schedule is complete. */
  finish(): Schedule {
    this.closeLoop();
    const outputBuffers = this.graph.program.outputs.map((id) => this.writeOutput(id));
    const inputBuffers = this.graph.program.inputs.map((id) => (this.placements.get(id) as { buf: number }).buf);
    return {
      buffers: this.buffers, maps: this.maps, steps: this.steps, inputBuffers, outputBuffers,
      squaredNormOf: this.squaredNormOf, normsInLoops: this.normsInLoops,
    };
  }

  /** The buffer output `id` ends up in (copying into its slot when it lives elsewhere). */
  private writeOutput(id: ValueId): number {
    const root = this.graph.root(id);
    const size = this.graph.sizeOf(id);
    let slot = this.outputSlots.get(root) as number;
    // Two outputs can be one value (tf.addN's gradient hands every input the same dy): the
    // caller passes one array per output, so the later ones get their own slot and a copy.
    if (this.writtenSlots.has(slot)) slot = this.addBuffer({ size, role: 'output' });
    this.writtenSlots.add(slot);
    const placement = this.placementOf(root);
    if (placement.kind === 'buffer' && placement.buf === slot) return slot;
    if (placement.kind === 'literal') this.steps.push({ kind: 'fill', buf: slot, value: placement.value });
    else if (placement.kind === 'buffer') this.steps.push({ kind: 'set', buf: slot, from: placement.buf });
    else {
      const value = this.read(root, this.graph.shapeOf(root));
      if (value === NOT_HERE) throw new Error('output still in an open loop');
      this.steps.push({ kind: 'copy', buf: slot, size, value, counted: false });
    }
    this.usedSlots.add(slot);
    return slot;
  }
}
