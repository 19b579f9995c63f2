/**
 * Compiles a traced Program into one plain-JS function. Elementwise kernels of
 * the same size are fused into one loop whose intermediates are locals;
 * reductions accumulate inside the loop that produces their input; slices,
 * pads, transposes and broadcasts are index maps read in place; everything
 * else (matMul, concat, softmax) is a call into STANDALONE. Buffers are
 * allocated once, so a call allocates nothing.
 */
import * as tf from '@tensorflow/tfjs';
import { ALIAS_KERNELS, castTemplate, elementwiseTemplate } from './elementwiseKernels';
import {
  broadcastMap, classifyMap, composeMaps, forEachIndex, gatherMap, padMap, reductionMap, reverseMap, sliceMap, stridesOf, tileMap, transposeMap,
} from './indexMaps';
import { NotCompilable, sizeOf, type KernelNode, type Program, type ValueId } from './program';
import { STANDALONE } from './standaloneKernels';
import { elementwiseIR } from './elementwiseIR';
import { fr as roundIR, lit as litIR, type Accumulator, type Expr, type LoopIR, type Read, type Stmt } from '../wasm/loopIR';
import { MemoryPlan, instantiateLoops, wasmSimdSupported, type LoopFunction } from '../wasm/loopModule';

export interface CompileOptions {
  /** Run loops that have an IR form as WebAssembly SIMD (default: when the engine supports it). */
  readonly wasm?: boolean;
  /** Outputs whose squared norm each run also computes (in the loop that stores them, when one does). */
  readonly squaredNormOf?: readonly number[];
}

/** Loops shorter than this stay in JS: a call into WebAssembly and the copies in and out cost more than they save. */
const WASM_MIN_SIZE = 32;

export interface CompiledProgram {
  /** Runs the program on inputs (sizes as traced) and writes each output into `outputs`. */
  run(inputs: readonly Float32Array[], outputs: readonly Float32Array[]): void;
  readonly inputSizes: readonly number[];
  readonly outputSizes: readonly number[];
  /** After run: Σ out² (float64) of each output named in CompileOptions.squaredNormOf, in that order. */
  readonly squaredNorms: Float64Array;
  /** Loops and standalone calls in the generated code (for tests and reports). */
  readonly loops: number;
  /** How many of the loops run as WebAssembly. */
  readonly wasmLoops: number;
  /** Fused loops of WASM_MIN_SIZE elements or more that stay in JS (a kernel without an IR form). */
  readonly jsLoops: number;
  readonly source: string;
  /**
   * The same program run on arrays it owns (views of its WebAssembly memory when it has one), so a
   * caller that keeps its state there copies nothing. `pairs` lists [input, output] whose arrays
   * trade places on every other run (a double buffer: output k of one run is input k of the next).
   */
  resident(pairs: readonly (readonly [input: number, output: number])[]): ResidentProgram;
}

export interface ResidentProgram {
  /** The arrays the next run reads and writes (they trade places after each run for the resident pairs). */
  readonly inputs: readonly Float32Array[];
  readonly outputs: readonly Float32Array[];
  run(): void;
}

interface Group {
  readonly size: number;
  readonly members: Set<number>;
  readonly prelude: string[];
  readonly hoisted: string[];
  readonly body: string[];
  readonly post: string[];
  readonly locals: Map<ValueId, string>;
  readonly sinks: Set<ValueId>;
  /** The loop as IR while every member has an IR form (WebAssembly can run it); undefined once one has none. */
  ir: Stmt[] | undefined;
  readonly accumulators: Accumulator[];
  /** The squared norm (CompileOptions.squaredNormOf slot) this loop's float64 result is. */
  normSlot?: number;
}

/** An operand inside a loop: its JS expression and, where it has one, its IR. */
interface Operand {
  readonly js: string;
  readonly ir: Expr | undefined;
}

type Repr =
  | { readonly kind: 'literal'; readonly value: number }
  | { readonly kind: 'buffer'; readonly buf: number }
  | { readonly kind: 'view'; readonly base: ValueId; readonly map: Int32Array; readonly pad: number }
  | { readonly kind: 'local'; readonly group: Group; readonly name: string; readonly id: number }
  | { readonly kind: 'sink'; readonly group: Group; readonly buf: number }
  | { readonly kind: 'dead' };

interface BufferSpec {
  readonly size: number;
  readonly role: 'input' | 'output' | 'constant' | 'temp';
  readonly init?: Float32Array;
}

const CONFLICT = Symbol('conflict');
const REDUCTIONS = new Set(['Sum', 'Mean', 'Max', 'Min', 'Prod']);
const VIEWS = new Set(['Slice', 'PadV2', 'Transpose', 'BroadcastTo', 'Tile', 'Reverse', 'GatherV2']);

/** Whether some element of a view reads the pad value (map < 0). */
function isPadded(map: Int32Array): boolean {
  const pattern = classifyMap(map);
  return pattern.kind === 'window' || (pattern.kind === 'general' && pattern.padded);
}

const literal = (x: number): string =>
  Number.isNaN(x) ? 'NaN' : x === Infinity ? 'Infinity' : x === -Infinity ? '-Infinity' : Object.is(x, -0) ? '-0' : `${x}`;

function axesOf(value: unknown, rank: number): number[] {
  if (value === null || value === undefined) return Array.from({ length: rank }, (_, d) => d);
  const list = Array.isArray(value) ? (value as number[]) : [value as number];
  return list.map((d) => (d < 0 ? d + rank : d));
}

class Compiler {
  private readonly reprs = new Map<ValueId, Repr>();
  private readonly roots = new Map<ValueId, ValueId>();
  private readonly consumers = new Map<ValueId, Set<number>>();
  /** Nodes some output depends on (aliases excluded: they only rename). */
  private readonly live = new Set<number>();
  private readonly buffers: BufferSpec[] = [];
  private readonly maps: Int32Array[] = [];
  private readonly main: string[] = [];
  private readonly targets: string[][] = [];
  private readonly outputSlots = new Map<ValueId, number>();
  private readonly usedSlots = new Set<number>();
  /** Output slots already handed to an output by writeOutput. */
  private readonly writtenSlots = new Set<number>();
  private open: Group | undefined;
  private names = 0;
  private readonly wasmLoops: LoopIR[] = [];
  private jsLoops = 0;
  /** Roots of the outputs whose squared norms are asked for, and their slots; those summed inside a loop. */
  private readonly normRoots = new Map<ValueId, number>();
  private readonly normsInLoops = new Set<number>();
  loops = 0;

  constructor(private readonly program: Program, private readonly wasm: boolean, private readonly squaredNormOf: readonly number[] = []) {
    program.inputs.forEach((id) => this.reprs.set(id, { kind: 'buffer', buf: this.addBuffer({ size: this.sizeOfValue(id), role: 'input' }) }));
    for (const node of program.nodes) if (this.isAlias(node)) this.roots.set(node.outputs[0], this.root(node.inputs[0].value));
    // Backprop also differentiates with respect to constants, and value-and-gradient traces
    // compute values nobody reads: only nodes an output depends on are compiled.
    const needed = new Set(program.outputs.map((id) => this.root(id)));
    for (let index = program.nodes.length - 1; index >= 0; index--) {
      const node = program.nodes[index];
      if (this.isAlias(node) || !node.outputs.some((id) => needed.has(this.root(id)))) continue;
      this.live.add(index);
      for (const input of node.inputs) needed.add(this.root(input.value));
    }
    program.nodes.forEach((node, index) => {
      if (!this.live.has(index)) return;
      for (const input of node.inputs) {
        const r = this.root(input.value);
        if (!this.consumers.has(r)) this.consumers.set(r, new Set());
        this.consumers.get(r)?.add(index);
      }
    });
    program.outputs.forEach((id) => {
      const r = this.root(id);
      if (!this.outputSlots.has(r)) this.outputSlots.set(r, this.addBuffer({ size: this.sizeOfValue(id), role: 'output' }));
    });
    squaredNormOf.forEach((output, slot) => this.normRoots.set(this.root(program.outputs[output]), slot));
  }

  compile(): CompiledProgram {
    this.program.nodes.forEach((node, index) => this.visit(node, index));
    this.closeGroup();
    const outputBuffers = this.program.outputs.map((id) => this.writeOutput(id));
    const inputBuffers = this.program.inputs.map((id) => (this.reprs.get(id) as { buf: number }).buf);
    const prologue = [
      'const fr = Math.fround;',
      ...this.buffers.map((_, k) => `const b${k} = B[${k}];`),
      ...this.maps.map((_, k) => `const m${k} = M[${k}];`),
    ];
    const source = [...prologue, ...this.main].join('\n');
    const fn = new Function('B', 'M', 'K', 'W', 'S', source) as (B: Float32Array[], M: Int32Array[], K: typeof STANDALONE, W: LoopFunction[], S: Float64Array) => void;
    const squaredNorms = new Float64Array(this.squaredNormOf.length);
    // Norms of outputs no loop stores (copies, matMul results) are summed after the run.
    const normsAfter = this.squaredNormOf.map((output, slot) => ({ output, slot })).filter(({ slot }) => !this.normsInLoops.has(slot));
    const sumSquaresAfter = (outputs: readonly Float32Array[]) => {
      for (const { output, slot } of normsAfter) {
        const a = outputs[output];
        let sq = 0;
        for (let i = 0; i < a.length; i++) sq += a[i] * a[i];
        squaredNorms[slot] = sq;
      }
    };
    const inputSizes = this.program.inputs.map((id) => this.sizeOfValue(id));
    const outputSizes = this.program.outputs.map((id) => this.sizeOfValue(id));
    const check = (arrays: readonly Float32Array[], sizes: readonly number[], what: string) =>
      arrays.forEach((a, k) => {
        if (a.length !== sizes[k]) throw new RangeError(`${what} ${k} has ${a.length} elements, the program was traced with ${sizes[k]}`);
      });
    const common = { inputSizes, outputSizes, squaredNorms, loops: this.loops, wasmLoops: this.wasmLoops.length, jsLoops: this.jsLoops, source };
    if (this.wasmLoops.length === 0) {
      const slots = this.buffers.map((spec) => (spec.role === 'constant' || spec.role === 'temp' ? (spec.init ?? new Float32Array(spec.size)) : new Float32Array(0)));
      const maps = this.maps;
      return {
        ...common,
        run(inputs, outputs) {
          check(inputs, inputSizes, 'input');
          check(outputs, outputSizes, 'output');
          // No copies: the caller's arrays are the program's input and output buffers.
          inputs.forEach((a, k) => (slots[inputBuffers[k]] = a));
          outputs.forEach((a, k) => (slots[outputBuffers[k]] = a));
          fn(slots, maps, STANDALONE, [], squaredNorms);
          sumSquaresAfter(outputs);
        },
        resident: (pairs) => {
          const own = [...slots];
          inputBuffers.forEach((buf, k) => (own[buf] = new Float32Array(inputSizes[k])));
          outputBuffers.forEach((buf, k) => (own[buf] = new Float32Array(outputSizes[k])));
          return residentRun(own, inputBuffers, outputBuffers, pairs, (views) => {
            fn(views, maps, STANDALONE, [], squaredNorms);
            sumSquaresAfter(outputBuffers.map((buf) => views[buf]));
          });
        },
      };
    }
    // Every buffer lives in the WebAssembly memory (JS loops and standalone kernels read it
    // through views): inputs are copied in and outputs out, once per call.
    const plan = new MemoryPlan();
    this.buffers.forEach((spec) => plan.reserve(spec.size));
    this.maps.forEach((map) => plan.reserve(map.length));
    // Beyond one 32-bit memory (4 GiB), or when the engine cannot reserve it: the same program in JS.
    let allocated: ReturnType<MemoryPlan['allocate']>;
    try {
      allocated = plan.allocate();
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      return new Compiler(this.program, false, this.squaredNormOf).compile();
    }
    const { memory, f32, i32 } = allocated;
    const slots = f32.slice(0, this.buffers.length);
    this.buffers.forEach((spec, k) => spec.init && slots[k].set(spec.init));
    const maps = this.maps.map((map, k) => {
      const view = i32[this.buffers.length + k];
      view.set(map);
      return view;
    });
    const mapBase = this.buffers.length - 1;
    const loops = instantiateLoops(this.wasmLoops, (buf) => plan.address(buf >= 0 ? buf : mapBase - buf), memory);
    return {
      ...common,
      run(inputs, outputs) {
        check(inputs, inputSizes, 'input');
        check(outputs, outputSizes, 'output');
        inputs.forEach((a, k) => slots[inputBuffers[k]].set(a));
        fn(slots, maps, STANDALONE, loops, squaredNorms);
        outputs.forEach((a, k) => a.set(slots[outputBuffers[k]]));
        sumSquaresAfter(outputs);
      },
      resident: (pairs) => {
        // The loops' addresses are compiled in: the swapped half of the double buffer gets its own instance.
        const swap = swapOf(pairs.map(([i, o]) => [inputBuffers[i], outputBuffers[o]]));
        const swappedLoops = instantiateLoops(this.wasmLoops, (buf) => plan.address(buf >= 0 ? swap(buf) : mapBase - buf), memory);
        return residentRun(slots, inputBuffers, outputBuffers, pairs, (views, swapped) => {
          fn(views, maps, STANDALONE, swapped ? swappedLoops : loops, squaredNorms);
          sumSquaresAfter(outputBuffers.map((buf) => views[buf]));
        });
      },
    };
  }

  // --- values -------------------------------------------------------------

  private info(id: ValueId) {
    const v = this.program.values.get(id);
    if (!v) throw new Error(`value ${id} is not in the program`);
    return v;
  }
  private sizeOfValue(id: ValueId): number {
    return sizeOf(this.info(id).shape);
  }
  private root(id: ValueId): ValueId {
    // Chains: an alias of a value that later turned out to alias another (x·1 = x).
    let r = id;
    for (let next = this.roots.get(r); next !== undefined && next !== r; next = this.roots.get(r)) r = next;
    return r;
  }
  private isAlias(node: KernelNode): boolean {
    if (ALIAS_KERNELS.has(node.kernel)) return true;
    if (node.kernel !== 'Cast') return false;
    const to = node.attrs.dtype;
    const from = this.info(node.inputs[0].value).dtype;
    return to === 'float32' || to === from || (to === 'int32' && from === 'bool');
  }
  private addBuffer(spec: BufferSpec): number {
    this.buffers.push(spec);
    return this.buffers.length - 1;
  }
  /** A buffer for a value about to be stored: the caller's output array when the value is an output. */
  private storageFor(root: ValueId): number {
    const slot = this.outputSlots.get(root);
    if (slot !== undefined && !this.usedSlots.has(slot)) {
      this.usedSlots.add(slot);
      return slot;
    }
    return this.addBuffer({ size: this.sizeOfValue(root), role: 'temp' });
  }
  private reprOf(id: ValueId): Repr {
    const r = this.root(id);
    let repr = this.reprs.get(r);
    if (!repr) {
      const source = this.info(r).source;
      if (source.kind !== 'constant') throw new Error(`value ${r} used before it was computed`);
      const v = source.values;
      repr = v.length > 0 && v.every((x) => Object.is(x, v[0])) ? { kind: 'literal', value: v[0] } : { kind: 'buffer', buf: this.addBuffer({ size: v.length, role: 'constant', init: v }) };
      this.reprs.set(r, repr);
    }
    return repr;
  }
  private inOpen(repr: Repr): boolean {
    if (!this.open) return false;
    if (repr.kind === 'local' || repr.kind === 'sink') return repr.group === this.open;
    if (repr.kind === 'view') return this.inOpen(this.reprOf(repr.base));
    return false;
  }
  private dependsOnOpen(node: KernelNode): boolean {
    return node.inputs.some((input) => this.inOpen(this.reprOf(input.value)));
  }

  // --- code ---------------------------------------------------------------

  private emit(line: string): void {
    (this.targets[this.targets.length - 1] ?? this.main).push(line);
  }
  private newName(prefix: string): string {
    return `${prefix}${this.names++}`;
  }
  private addMap(map: Int32Array): string {
    this.maps.push(map);
    return `m${this.maps.length - 1}`;
  }

  /** A read of base[map[i]] (map undefined = identity) as an expression in the loop over i. */
  private readBuffer(buf: number, map: Int32Array | undefined, pad: number, group: Group): Operand {
    const b = `b${buf}`;
    const operand = (js: string, read: Read): Operand => ({ js, ir: { op: 'read', buf, read } });
    if (!map) return operand(`${b}[i]`, { kind: 'offset', k: 0 });
    const pattern = classifyMap(map);
    switch (pattern.kind) {
      case 'constant': {
        const name = this.newName('h');
        group.hoisted.push(`const ${name} = ${b}[${pattern.at}];`);
        return operand(name, pattern);
      }
      case 'offset':
        return operand(pattern.k === 0 ? `${b}[i]` : `${b}[i + ${pattern.k}]`, pattern);
      case 'modulo':
        return operand(`${b}[i % ${pattern.m}]`, pattern);
      case 'divide':
        return operand(`${b}[(i / ${pattern.d}) | 0]`, pattern);
      case 'window':
        return operand(`(i >= ${pattern.lo} && i < ${pattern.hi} ? ${b}[i + ${pattern.k}] : ${literal(pad)})`, { ...pattern, pad });
      case 'general': {
        const m = this.addMap(map);
        // In the IR, map k is buffer −(k + 1) (maps live after the buffers in WebAssembly memory).
        const read: Read = { kind: 'general', map: -this.maps.length, padded: pattern.padded, pad };
        return operand(pattern.padded ? `(${m}[i] >= 0 ? ${b}[${m}[i]] : ${literal(pad)})` : `${b}[${m}[i]]`, read);
      }
    }
  }

  /** Element i of value `id` broadcast to `outShape`, inside `group`'s loop; CONFLICT when it is not readable there yet. */
  private read(id: ValueId, outShape: readonly number[], group: Group): Operand | typeof CONFLICT {
    const repr = this.reprOf(id);
    const inShape = this.info(id).shape;
    const n = sizeOf(outShape);
    const same = sizeOf(inShape) === n;
    const broadcast = () => broadcastMap(inShape, outShape);
    switch (repr.kind) {
      case 'literal':
        return { js: literal(repr.value), ir: litIR(repr.value) };
      case 'local':
        return repr.group === group && same ? { js: repr.name, ir: { op: 'local', id: repr.id } } : CONFLICT;
      case 'sink':
        return CONFLICT;
      case 'buffer':
        return this.readBuffer(repr.buf, same ? undefined : broadcast(), 0, group);
      case 'view': {
        const base = this.reprOf(repr.base);
        if (base.kind !== 'buffer') return CONFLICT;
        return this.readBuffer(base.buf, same ? repr.map : composeMaps(repr.map, broadcast()), repr.pad, group);
      }
      case 'dead':
        throw new Error(`value ${id} was not kept`);
    }
  }

  private newGroup(size: number): Group {
    return { size, members: new Set(), prelude: [], hoisted: [], body: [], post: [], locals: new Map(), sinks: new Set(), ir: [], accumulators: [] };
  }

  /** Ends the open loop: stores every local read outside it and turns its sinks into buffers. */
  private closeGroup(): void {
    const g = this.open;
    if (!g) return;
    this.open = undefined;
    for (const [root, name] of g.locals) {
      const outside = [...(this.consumers.get(root) ?? [])].some((node) => !g.members.has(node)) || this.outputSlots.has(root);
      if (outside) {
        const buf = this.storageFor(root);
        g.body.push(`b${buf}[i] = ${name};`);
        const local: Expr = { op: 'local', id: (this.reprs.get(root) as { id: number }).id };
        this.addIR(g, { op: 'store', buf, value: local });
        this.sumSquaresInLoop(g, root, name, local);
        this.reprs.set(root, { kind: 'buffer', buf });
      } else this.reprs.set(root, { kind: 'dead' });
    }
    for (const root of g.sinks) this.reprs.set(root, { kind: 'buffer', buf: (this.reprs.get(root) as { buf: number }).buf });
    for (const line of g.prelude) this.emit(line);
    if (g.body.length === 0 && g.post.length === 0) return;
    this.loops++;
    if (g.ir && this.wasm && g.size >= WASM_MIN_SIZE) {
      this.wasmLoops.push({ size: g.size, scalars: [], body: g.ir, accumulators: g.accumulators });
      this.emit(`${g.normSlot === undefined ? '' : `S[${g.normSlot}] = `}W[${this.wasmLoops.length - 1}]();`);
      return;
    }
    if (g.size >= WASM_MIN_SIZE) this.jsLoops++;
    this.emit(`{\n${g.hoisted.join('\n')}\nfor (let i = 0; i < ${g.size}; i++) {\n${g.body.join('\n')}\n}\n${g.post.join('\n')}\n}`);
  }

  /** When `root` is an output whose squared norm is asked for, sums its squares in the loop that stores it (no second pass). */
  private sumSquaresInLoop(g: Group, root: ValueId, name: string, local: Expr): void {
    const slot = this.normRoots.get(root);
    if (slot === undefined || this.normsInLoops.has(slot) || g.normSlot !== undefined) return;
    this.normsInLoops.add(slot);
    g.normSlot = slot;
    const acc = this.newName('q');
    g.hoisted.push(`let ${acc} = 0;`);
    g.body.push(`${acc} += ${name} * ${name};`);
    g.post.push(`S[${slot}] = ${acc};`);
    this.addIR(g, { op: 'reduce', acc: g.accumulators.length, value: { op: 'mul', a: local, b: local } });
    g.accumulators.push({ op: 'sum', into: 'return' });
  }

  /** Runs `body` in a fresh group emitted into the open group's prelude (it does not depend on the open loop). */
  private beforeOpen(body: () => void): void {
    const saved = this.open;
    if (!saved) {
      body();
      return;
    }
    this.open = undefined;
    this.targets.push(saved.prelude);
    try {
      body();
      this.closeGroup();
    } finally {
      this.targets.pop();
      this.open = saved;
    }
  }

  /** Puts a loop-shaped node (elementwise or reduction over `size` elements) into a group that can hold it. */
  private inLoop(node: KernelNode, size: number, add: (g: Group) => boolean): void {
    if (this.open && this.open.size !== size) {
      if (this.dependsOnOpen(node)) this.closeGroup();
      else {
        this.beforeOpen(() => this.inLoop(node, size, add));
        return;
      }
    }
    if (this.open && add(this.open)) return;
    this.closeGroup();
    this.open = this.newGroup(size);
    if (!add(this.open)) throw new Error(`kernel ${node.kernel} cannot read its inputs in a fresh loop`);
  }

  // --- kernels ------------------------------------------------------------

  private visit(node: KernelNode, index: number): void {
    if (!this.live.has(index)) return;
    const out = node.outputs[0];
    const k = node.kernel;
    if (k === 'Fill') this.reprs.set(out, { kind: 'literal', value: Math.fround(node.attrs.value as number) });
    else if (k === 'ZerosLike' || k === 'OnesLike') this.reprs.set(out, { kind: 'literal', value: k === 'OnesLike' ? 1 : 0 });
    else if (k === 'Range') this.range(node);
    else if (k === 'GatherV2' && !this.knownNow(node.inputs[1].value)) this.dynamicGather(node, index);
    else if (VIEWS.has(k)) this.view(node);
    else if (k === 'SplitV' || k === 'Unpack') this.split(node);
    else if (k === 'StridedSlice') this.stridedSlice(node);
    else if (k === 'LinSpace') this.linSpace(node);
    else if (k === 'OneHot') this.oneHot(node, index);
    else if (REDUCTIONS.has(k)) this.reduction(node, index);
    else if (k === 'UnsortedSegmentSum') this.segmentSum(node, index);
    else if (k === 'Cast' || elementwiseTemplate(k)) this.elementwise(node, index);
    else this.standalone(node);
  }

  /** tf.range has no tensor inputs: its values are known now (the cpu kernel's steps, float32 accumulation included). */
  private range(node: KernelNode): void {
    const n = this.sizeOfValue(node.outputs[0]);
    const { start, stop } = node.attrs as { start: number; stop: number };
    let step = node.attrs.step as number;
    if (stop < start && step === 1) step = -1;
    const values = new Float32Array(n);
    for (let i = 0; i < n; i++) values[i] = i === 0 ? start : values[i - 1] + step;
    this.reprs.set(node.outputs[0], n > 0 && values.every((v) => v === values[0])
      ? { kind: 'literal', value: values[0] }
      : { kind: 'buffer', buf: this.addBuffer({ size: n, role: 'constant', init: values }) });
  }

  private elementwise(node: KernelNode, index: number): void {
    const template = node.kernel === 'Cast' ? castTemplate(node.attrs.dtype) : elementwiseTemplate(node.kernel);
    if (!template) throw new NotCompilable(`cannot compile a cast to ${String(node.attrs.dtype)}`);
    const out = node.outputs[0];
    const shape = this.info(out).shape;
    const literals = node.inputs.map((input) => this.reprOf(input.value));
    if (literals.every((r) => r.kind === 'literal')) {
      // Every input known at compile time (backprop's 1·1 seeds, constant factors): fold it.
      const args = literals.map((r) => literal((r as { value: number }).value));
      const value = (new Function('fr', `return fr(${template(args, node.attrs)});`) as (fr: typeof Math.fround) => number)(Math.fround);
      this.reprs.set(out, { kind: 'literal', value });
      return;
    }
    if (node.kernel === 'Multiply') {
      // x·1 = x exactly (backprop multiplies by the seed 1): reuse x instead of a loop that copies it.
      const other = literals.findIndex((r, k) => literals[1 - k].kind === 'literal' && (literals[1 - k] as { value: number }).value === 1);
      const x = other >= 0 ? node.inputs[other].value : undefined;
      if (x !== undefined && this.sizeOfValue(x) === sizeOf(shape) && this.info(x).dtype === 'float32' && !this.outputSlots.has(out)) {
        const base = this.root(x);
        this.roots.set(out, base);
        // out's readers now read x: x must be kept for them.
        const readers = this.consumers.get(base) ?? new Set<number>();
        for (const reader of this.consumers.get(out) ?? []) readers.add(reader);
        this.consumers.set(base, readers);
        return;
      }
    }
    this.inLoop(node, sizeOf(shape), (g) => {
      const args: Operand[] = [];
      for (const input of node.inputs) {
        const e = this.read(input.value, shape, g);
        if (e === CONFLICT) return false;
        args.push(e);
      }
      const js = template(args.map((a) => a.js), node.attrs);
      // int32 results (FloorDiv, int arithmetic) are stored by tfjs in an Int32Array: convert as it does (in JS only).
      const int32 = this.info(out).dtype === 'int32' && node.kernel !== 'Cast';
      const irArgs = args.map((a) => a.ir);
      const ir = int32 || !irArgs.every((a) => a !== undefined) ? undefined : elementwiseIR(node.kernel, irArgs as Expr[], node.attrs, node.attrs.dtype);
      this.addLocal(g, out, index, int32 ? `(${js}) | 0` : js, ir);
      return true;
    });
  }

  /** Adds `const v = fr(js)` for value `out` to the loop (and its IR, or marks the loop JS-only). */
  private addLocal(g: Group, out: ValueId, index: number, js: string, ir: Expr | undefined, round = true): void {
    const name = this.newName('v');
    const id = this.names;
    g.body.push(`const ${name} = ${round ? `fr(${js})` : js};`);
    this.addIR(g, ir && { op: 'let', id, value: roundIR(ir) });
    g.locals.set(out, name);
    g.members.add(index);
    this.reprs.set(out, { kind: 'local', group: g, name, id });
  }

  private addIR(g: Group, statement: Stmt | undefined): void {
    if (statement) g.ir?.push(statement);
    else g.ir = undefined;
  }

  private reduction(node: KernelNode, index: number): void {
    const x = node.inputs[0].value;
    const inShape = this.info(x).shape;
    const out = node.outputs[0];
    const axes = axesOf(node.attrs.axis ?? node.attrs.reductionIndices, inShape.length);
    const n = sizeOf(inShape);
    const outSize = this.sizeOfValue(out);
    const count = n / Math.max(outSize, 1);
    const init = { Sum: '0', Mean: '0', Max: '-Infinity', Min: 'Infinity', Prod: '1' }[node.kernel] ?? '0';
    const combine = (acc: string, e: string) =>
      ({ Max: `${acc} = Math.max(${acc}, ${e});`, Min: `${acc} = Math.min(${acc}, ${e});`, Prod: `${acc} *= ${e};` })[node.kernel] ?? `${acc} += ${e};`;
    this.inLoop(node, n, (g) => {
      const e = this.read(x, inShape, g);
      if (e === CONFLICT) return false;
      const buf = this.storageFor(out);
      const b = `b${buf}`;
      if (outSize === 1) {
        const acc = this.newName('a');
        g.hoisted.push(`let ${acc} = ${init};`);
        g.body.push(combine(acc, e.js));
        g.post.push(`${b}[0] = ${node.kernel === 'Mean' ? `${acc} / ${count}` : acc};`);
        const op = ({ Max: 'max', Min: 'min', Prod: 'prod' } as const)[node.kernel as 'Max'] ?? 'sum';
        this.addIR(g, e.ir && { op: 'reduce', acc: g.accumulators.length, value: e.ir });
        g.accumulators.push({ op, into: { buf, at: 0, ...(node.kernel === 'Mean' ? { divideBy: count } : {}) } });
      } else {
        g.ir = undefined;
        const map = reductionMap(inShape, axes);
        const pattern = classifyMap(map);
        const at = pattern.kind === 'divide' ? `(i / ${pattern.d}) | 0` : pattern.kind === 'modulo' ? `i % ${pattern.m}` : `${this.addMap(map)}[i]`;
        g.hoisted.push(`${b}.fill(${init});`);
        g.body.push(combine(`${b}[${at}]`, e.js));
        if (node.kernel === 'Mean') g.post.push(`for (let j = 0; j < ${outSize}; j++) ${b}[j] /= ${count};`);
      }
      g.members.add(index);
      g.sinks.add(out);
      this.reprs.set(out, { kind: 'sink', group: g, buf });
      return true;
    });
  }

  /** Whether value `id` is known at compile time (a captured constant or a literal). */
  private knownNow(id: ValueId): boolean {
    return this.info(this.root(id)).source.kind === 'constant' || this.reprOf(id).kind === 'literal';
  }

  /** The values of a value known at compile time (see knownNow). */
  private valuesNow(id: ValueId): Float32Array {
    const source = this.info(this.root(id)).source;
    if (source.kind === 'constant') return source.values;
    // A literal stands for every element (Fill, ZerosLike): one value per element, not one in all.
    return new Float32Array(this.sizeOfValue(id)).fill((this.reprOf(id) as { value: number }).value);
  }

  /** Element map[i] of value `id` as an expression in `group`'s loop, or CONFLICT when it is not a buffer (yet). */
  private readMapped(id: ValueId, map: Int32Array, group: Group): Operand | typeof CONFLICT {
    const repr = this.reprOf(id);
    if (repr.kind === 'literal') return { js: literal(repr.value), ir: litIR(repr.value) };
    if (repr.kind === 'buffer') return this.readBuffer(repr.buf, map, 0, group);
    if (repr.kind !== 'view') return CONFLICT;
    const base = this.reprOf(repr.base);
    return base.kind === 'buffer' ? this.readBuffer(base.buf, composeMaps(repr.map, map), repr.pad, group) : CONFLICT;
  }

  /**
   * tf.gather with indices computed at run time (integer labels of a batch): element i reads x
   * at the row the index names, inside the consuming loop. Out-of-range indices read NaN (tfjs throws).
   */
  private dynamicGather(node: KernelNode, index: number): void {
    const [x, indices] = node.inputs.map((input) => input.value);
    if (((node.attrs.batchDims as number) ?? 0) !== 0) throw new NotCompilable('gather with batchDims and computed indices');
    const inShape = this.info(x).shape;
    const out = node.outputs[0];
    const axis = axesOf(node.attrs.axis, inShape.length)[0];
    const inner = sizeOf(inShape.slice(axis + 1));
    const len = inShape[axis];
    const count = this.sizeOfValue(indices);
    const n = this.sizeOfValue(out);
    const which = new Int32Array(n);
    const base = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      which[i] = Math.floor(i / inner) % count;
      base[i] = Math.floor(i / (inner * count)) * len * inner + (i % inner);
    }
    if (this.dependsOnOpen(node)) this.closeGroup();
    const xs = this.materialize(x);
    const bases = this.addMap(base);
    this.inLoop(node, n, (g) => {
      const at = this.readMapped(indices, which, g);
      if (at === CONFLICT) return false;
      this.addLocal(g, out, index, `${xs}[${bases}[i] + (${at.js}) * ${inner}]`, undefined, false);
      return true;
    });
  }

  /** tf.unsortedSegmentSum (the gradient of a gather): a scatter-add inside the producing loop. */
  private segmentSum(node: KernelNode, index: number): void {
    const [x, ids] = node.inputs.map((input) => input.value);
    const inShape = this.info(x).shape;
    const out = node.outputs[0];
    const n = sizeOf(inShape);
    const rows = Math.max(1, this.sizeOfValue(ids));
    const inner = n / rows;
    const known = this.knownNow(ids);
    const map = new Int32Array(n);
    const idValues = known ? this.valuesNow(ids) : undefined;
    for (let i = 0; i < n; i++) map[i] = idValues ? idValues[Math.floor(i / inner)] * inner + (i % inner) : Math.floor(i / inner);
    this.inLoop(node, n, (g) => {
      const e = this.read(x, inShape, g);
      if (e === CONFLICT) return false;
      // Segment ids computed at run time (a gather of batch labels) are read in the loop.
      const id = known ? undefined : this.readMapped(ids, map, g);
      if (id === CONFLICT) return false;
      const buf = this.storageFor(out);
      g.hoisted.push(`b${buf}.fill(0);`);
      g.body.push(id === undefined ? `b${buf}[${this.addMap(map)}[i]] += ${e.js};` : `b${buf}[(${id.js}) * ${inner} + i % ${inner}] += ${e.js};`);
      g.ir = undefined;
      g.members.add(index);
      g.sinks.add(out);
      this.reprs.set(out, { kind: 'sink', group: g, buf });
      return true;
    });
  }

  private view(node: KernelNode): void {
    const x = node.inputs[0].value;
    const inShape = this.info(x).shape;
    const out = node.outputs[0];
    const outShape = this.info(out).shape;
    const a = node.attrs;
    let map: Int32Array;
    let pad = 0;
    switch (node.kernel) {
      case 'Slice': {
        const begin = Array.isArray(a.begin) ? (a.begin as number[]) : [a.begin as number];
        map = sliceMap(inShape, inShape.map((_, d) => begin[d] ?? 0), outShape);
        break;
      }
      case 'PadV2':
        map = padMap(inShape, a.paddings as number[][], outShape);
        pad = Math.fround(a.constantValue as number);
        break;
      case 'Transpose':
        map = transposeMap(inShape, a.perm as number[], outShape);
        break;
      case 'BroadcastTo':
        map = broadcastMap(inShape, outShape);
        break;
      case 'Tile':
        map = tileMap(inShape, outShape);
        break;
      case 'Reverse':
        map = reverseMap(inShape, axesOf(a.dims, inShape.length));
        break;
      default: {
        // GatherV2 with indices known at compile time (computed ones go to dynamicGather).
        if (((a.batchDims as number) ?? 0) !== 0) throw new NotCompilable('gather with batchDims');
        map = gatherMap(inShape, this.valuesNow(node.inputs[1].value), axesOf(a.axis, inShape.length)[0], outShape);
      }
    }
    this.setView(out, x, map, pad);
  }

  /**
   * tf.split / the gradient of tf.concat, and tf.unstack / the gradient of tf.stack: every
   * output is a slice of x along the axis (unstack's drops the axis, same elements in the same order).
   */
  private split(node: KernelNode): void {
    const x = node.inputs[0].value;
    const inShape = this.info(x).shape;
    const axis = axesOf(node.attrs.axis ?? 0, inShape.length)[0];
    let offset = 0;
    for (const out of node.outputs) {
      const outShape = node.kernel === 'Unpack' ? inShape.map((n, d) => (d === axis ? 1 : n)) : this.info(out).shape;
      const begin = inShape.map((_, d) => (d === axis ? offset : 0));
      this.setView(out, x, sliceMap(inShape, begin, outShape), 0);
      offset += outShape[axis];
    }
  }

  /** tf.stridedSlice: element loc of the (unsqueezed) result reads x at begin + loc · strides, as the cpu kernel does. */
  private stridedSlice(node: KernelNode): void {
    const x = node.inputs[0].value;
    const inShape = this.info(x).shape;
    const a = node.attrs as Record<string, number[] & number>;
    const info = tf.slice_util.sliceInfo(
      [...inShape], a.begin, a.end, a.strides, a.beginMask, a.endMask, a.ellipsisMask, a.newAxisMask, a.shrinkAxisMask,
    );
    // The dense begin/end/strides have x's rank (shrunk axes have one element, new axes none).
    const shape = inShape.map((_, d) => Math.max(0, Math.ceil((info.end[d] - info.begin[d]) / info.strides[d])));
    if (info.begin.length !== inShape.length || sizeOf(shape) !== this.sizeOfValue(node.outputs[0])) throw new NotCompilable('a strided slice this compiler does not understand');
    const strides = stridesOf(inShape);
    const map = new Int32Array(sizeOf(shape));
    forEachIndex(shape, (flat, loc) => (map[flat] = loc.reduce((at, l, d) => at + (l * info.strides[d] + info.begin[d]) * strides[d], 0)));
    this.setView(node.outputs[0], x, map, 0);
  }

  /** tf.linspace has no tensor inputs: its values are known now (float32 steps, as the cpu kernel adds them). */
  private linSpace(node: KernelNode): void {
    const { start, stop, num } = node.attrs as { start: number; stop: number; num: number };
    const values = new Float32Array(num);
    const step = (stop - start) / (num - 1);
    for (let i = 0; i < num; i++) values[i] = i === 0 ? start : values[i - 1] + step;
    this.reprs.set(node.outputs[0], { kind: 'buffer', buf: this.addBuffer({ size: num, role: 'constant', init: values }) });
  }

  /** tf.oneHot of (constant or input) indices: element i is on where indices[i / depth] is i % depth. */
  private oneHot(node: KernelNode, index: number): void {
    const indices = node.inputs[0].value;
    const out = node.outputs[0];
    const depth = node.attrs.depth as number;
    const n = this.sizeOfValue(out);
    const rows = new Int32Array(n);
    for (let i = 0; i < n; i++) rows[i] = Math.floor(i / depth);
    const on = literal(Math.fround(node.attrs.onValue as number));
    const off = literal(Math.fround(node.attrs.offValue as number));
    this.inLoop(node, n, (g) => {
      const at = this.readMapped(indices, rows, g);
      if (at === CONFLICT) return false;
      this.addLocal(g, out, index, `(${at.js} === i % ${depth} ? ${on} : ${off})`, undefined, false);
      return true;
    });
  }

  /** Records `out` as the view `map` of `x` (composed with x's own map when x is a view). */
  private setView(out: ValueId, x: ValueId, map: Int32Array, pad: number): void {
    const inShape = this.info(x).shape;
    const base = this.reprOf(x);
    const padded = isPadded(map);
    if (base.kind === 'literal') {
      if (!padded || Object.is(pad, base.value)) {
        this.reprs.set(out, base);
        return;
      }
      const buf = this.addBuffer({ size: sizeOf(inShape), role: 'constant', init: new Float32Array(sizeOf(inShape)).fill(base.value) });
      this.reprs.set(this.root(x), { kind: 'buffer', buf });
      this.reprs.set(out, { kind: 'view', base: this.root(x), map, pad });
      return;
    }
    if (base.kind === 'view') {
      const innerPadded = isPadded(base.map);
      if (padded && innerPadded && !Object.is(pad, base.pad)) throw new NotCompilable('a pad of a pad with another value');
      this.reprs.set(out, { kind: 'view', base: base.base, map: composeMaps(base.map, map), pad: innerPadded ? base.pad : pad });
      return;
    }
    this.reprs.set(out, { kind: 'view', base: this.root(x), map, pad });
  }

  /** The buffer holding value `id` (copying a view or a literal into a new one), emitted where the caller emits. */
  private materialize(id: ValueId): string {
    const repr = this.reprOf(id);
    if (repr.kind === 'buffer') return `b${repr.buf}`;
    const size = this.sizeOfValue(id);
    const buf = this.addBuffer({ size, role: 'temp' });
    const g = this.newGroup(size);
    const e = this.read(id, this.info(id).shape, g);
    if (e === CONFLICT) throw new Error('materialize: the value is still in an open loop');
    this.emit(`{\n${g.hoisted.join('\n')}\nfor (let i = 0; i < ${size}; i++) b${buf}[i] = ${e.js};\n}`);
    this.loops++;
    return `b${buf}`;
  }

  private standalone(node: KernelNode): void {
    if (!['BatchMatMul', 'Concat', 'Pack', 'Softmax', 'Cumsum', 'Cumprod'].includes(node.kernel)) throw new NotCompilable(`kernel ${node.kernel} has no plain-JS version`);
    if (this.dependsOnOpen(node)) this.closeGroup();
    this.beforeOpen(() => {
      const ins = node.inputs.map((input) => this.materialize(input.value));
      const out = node.outputs[0];
      const outShape = this.info(out).shape;
      const buf = this.storageFor(this.root(out));
      const o = `b${buf}`;
      if (node.kernel === 'BatchMatMul') {
        const [aShape, bShape] = node.inputs.map((input) => this.info(input.value).shape);
        const ta = node.attrs.transposeA === true;
        const tb = node.attrs.transposeB === true;
        const m = outShape[outShape.length - 2];
        const n = outShape[outShape.length - 1];
        const k = ta ? aShape[aShape.length - 2] : aShape[aShape.length - 1];
        const batches = sizeOf(outShape) / (m * n);
        const aBatches = sizeOf(aShape) / (m * k);
        const bBatches = sizeOf(bShape) / (k * n);
        if ((aBatches !== 1 && aBatches !== batches) || (bBatches !== 1 && bBatches !== batches)) throw new NotCompilable('matMul with partly broadcast batch dimensions');
        this.emit(`K.batchMatMul(${ins[0]}, ${ins[1]}, ${o}, ${batches}, ${aBatches}, ${bBatches}, ${m}, ${k}, ${n}, ${ta}, ${tb});`);
      } else if (node.kernel === 'Concat' || node.kernel === 'Pack') {
        // tf.stack is a concat along a new axis of size 1 per input (the same widths arithmetic).
        const axis = axesOf(node.attrs.axis, outShape.length)[0];
        const outer = sizeOf(outShape.slice(0, axis));
        const widths = node.inputs.map((input) => this.sizeOfValue(input.value) / outer);
        this.emit(`K.concat([${ins.join(', ')}], [${widths.join(', ')}], ${outer}, ${o});`);
      } else if (node.kernel === 'Cumsum' || node.kernel === 'Cumprod') {
        const axis = axesOf(node.attrs.axis, outShape.length)[0];
        const outer = sizeOf(outShape.slice(0, axis));
        const inner = sizeOf(outShape.slice(axis + 1));
        const a = node.attrs;
        this.emit(`K.cumulative(${ins[0]}, ${o}, ${outer}, ${outShape[axis]}, ${inner}, ${a.exclusive === true}, ${a.reverse === true}, ${node.kernel === 'Cumprod'});`);
      } else {
        const dim = axesOf(node.attrs.dim ?? -1, outShape.length)[0];
        if (dim !== outShape.length - 1) throw new NotCompilable('softmax over an axis other than the last');
        this.emit(`K.softmax(${ins[0]}, ${o}, ${outShape[outShape.length - 1]});`);
      }
      this.loops++;
      this.reprs.set(this.root(out), { kind: 'buffer', buf });
    });
  }

  /** The buffer index output `id` ends up in (copying into its slot when it lives elsewhere). */
  private writeOutput(id: ValueId): number {
    const root = this.root(id);
    const size = this.sizeOfValue(id);
    let slot = this.outputSlots.get(root) as number;
    // Two outputs can be one value (tf.addN's gradient hands every input the same dy): the
    // caller passes one array per output, so the later ones get their own slot and a copy.
    if (this.writtenSlots.has(slot)) slot = this.addBuffer({ size, role: 'output' });
    this.writtenSlots.add(slot);
    const repr = this.reprOf(root);
    if (repr.kind === 'buffer' && repr.buf === slot) return slot;
    if (repr.kind === 'literal') this.main.push(`b${slot}.fill(${literal(repr.value)});`);
    else if (repr.kind === 'buffer') this.main.push(`b${slot}.set(b${repr.buf});`);
    else {
      const g = this.newGroup(size);
      const e = this.read(root, this.info(root).shape, g);
      if (e === CONFLICT) throw new Error('output still in an open loop');
      this.main.push(`{\n${g.hoisted.join('\n')}\nfor (let i = 0; i < ${size}; i++) b${slot}[i] = ${e.js};\n}`);
    }
    this.usedSlots.add(slot);
    return slot;
  }
}

/** The buffer renaming that exchanges each pair's two buffers. */
function swapOf(pairs: readonly (readonly [number, number])[]): (buf: number) => number {
  const to = new Map<number, number>();
  for (const [a, b] of pairs) to.set(a, b).set(b, a);
  return (buf) => to.get(buf) ?? buf;
}

/** A ResidentProgram over `slots`: every other run sees each pair's buffers exchanged. */
function residentRun(
  slots: readonly Float32Array[],
  inputBuffers: readonly number[],
  outputBuffers: readonly number[],
  pairs: readonly (readonly [number, number])[],
  body: (views: Float32Array[], swapped: boolean) => void,
): ResidentProgram {
  const swap = swapOf(pairs.map(([i, o]) => [inputBuffers[i], outputBuffers[o]]));
  const views = [[...slots], slots.map((_, buf) => slots[swap(buf)])];
  let swapped = false;
  const state = {
    inputs: inputBuffers.map((buf) => views[0][buf]),
    outputs: outputBuffers.map((buf) => views[0][buf]),
    run() {
      body(views[swapped ? 1 : 0], swapped);
      swapped = !swapped;
      const now = views[swapped ? 1 : 0];
      state.inputs = inputBuffers.map((buf) => now[buf]);
      state.outputs = outputBuffers.map((buf) => now[buf]);
    },
  };
  return state;
}

export function compileProgram(program: Program, options: CompileOptions = {}): CompiledProgram {
  return new Compiler(program, options.wasm ?? wasmSimdSupported(), options.squaredNormOf).compile();
}
