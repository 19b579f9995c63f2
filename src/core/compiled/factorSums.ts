/**
 * Stage 1 of compileProgram: factors that do not change along a sum's axes taken out of the sum,
 * Σ_A (v · c) = (Σ_A v) · c, and the sum of what is left computed once, where its operands are made.
 *
 * A gradient through a normalisation (tf.moments, tf.batchNorm) sums products of an activation-sized
 * tensor with per-channel ones broadcast over it, and several of its sums differ only in those factors.
 * Taken out, they leave sums of the same products (computed once: 4 row sums become 2 in a batch-norm
 * layer's backward pass), and a sum of the centred activations that the forward pass can compute in the
 * loop that makes them. The loop after the sums then reads no sum of its own operands and fuses with the
 * next one: a batch-norm layer's backward pass goes over its activations twice instead of three times.
 *
 * Real arithmetic gives the same value. Float32 rounds at other places (each product rounded, then
 * summed, against one sum then one product); the row sums are float64, so the factored sum is as exact
 * as the original or more, and the agreement check against TensorFlow.js allows for the difference.
 *
 * A factor is constant along the sum's axes when it has size 1 on each, is a uniform constant, or is made
 * from such factors by elementwise kernels, Casts and Tiles of size-1 axes (constantAlong). Its value over
 * the sum's output shape is rebuilt from those pieces (reduced): new small kernels, none of which reads the
 * activations.
 */
import { sameBitsThroughout } from './constantKernels';
import { isElementwise } from './elementwiseKernels';
import { axesOf, type KernelNode, type Program, type ValueId, type ValueInfo, type ValueSource } from './program';

type Value = ValueInfo & { readonly source: ValueSource };

/** Kernels whose output is their input under another name when the shapes agree. */
const RENAMES = new Set(['Identity', 'Reshape', 'EnsureShape']);

/** A product's pieces: factors multiplied (`divide`: divided by) in the order found. */
interface Factor {
  readonly value: ValueId;
  readonly divide: boolean;
}

export function factorSums(program: Program): Program {
  const rewriter = new SumFactoring(program);
  program.nodes.forEach((node, index) => rewriter.visit(node, index));
  return rewriter.result();
}

class SumFactoring {
  private readonly values = new Map<ValueId, Value>();
  private readonly producer = new Map<ValueId, number>();
  private nextId: number;
  /** New nodes to run after node k (−1: before every node), and what replaces node k. */
  private readonly after = new Map<number, KernelNode[]>();
  private readonly replaced = new Map<number, KernelNode[]>();
  /** Sums and products already made, by what they compute. */
  private readonly made = new Map<string, ValueId>();
  private changed = false;

  constructor(private readonly program: Program) {
    for (const [id, value] of program.values) this.values.set(id, value);
    program.nodes.forEach((node, index) => node.outputs.forEach((id) => this.producer.set(id, index)));
    this.nextId = Math.max(0, ...program.values.keys()) + 1;
  }

  visit(node: KernelNode, index: number): void {
    if (node.kernel !== 'Sum' || node.inputs.length !== 1 || node.attrs.keepDims === true) return;
    const x = node.inputs[0].value;
    const shape = this.info(x).shape;
    if (this.info(x).dtype !== 'float32' || shape.length === 0) return;
    const axes = new Set(axesOf(node.attrs.axis, shape.length));
    const everyAxis = new Set(shape.keys());
    const factors = this.factorsOf(x, shape);
    // Out: the factors that vary, but not along the sum's axes (per-channel statistics). Numbers the same
    // everywhere stay in: the sum of c·x then rounds as TensorFlow.js's does, where nothing is gained.
    const out = factors.filter((f) => this.constantAlong(f.value, shape.length, axes) && !this.constantAlong(f.value, shape.length, everyAxis));
    const kept = factors.filter((f) => !out.includes(f));
    const key = `Sum|${JSON.stringify(node.attrs)}|${kept.map((f) => `${f.divide ? '/' : '*'}${f.value}`).sort().join('')}`;
    if (out.length === 0) {
      // This sum is Σ of the product of `kept`: a later one left with the same product reads it.
      if (!this.made.has(key)) this.made.set(key, node.outputs[0]);
      return;
    }
    // What stays in must still span the sum's input (a lone scalar left in would be summed over axes it has not).
    if (!kept.some((f) => !f.divide && this.info(f.value).shape.join() === shape.join())) return;
    const sum = this.made.get(key) ?? this.hoistedSum(kept, key, node, shape);
    const replacement: KernelNode[] = [];
    let acc = sum;
    out.forEach((f, k) => {
      const reduced = this.reduced(f.value, shape.length, axes, replacement);
      const target = k === out.length - 1 ? node.outputs[0] : this.newValue(this.info(node.outputs[0]).shape);
      replacement.push({ kernel: f.divide ? 'RealDiv' : 'Multiply', inputs: [{ name: 'a', value: acc }, { name: 'b', value: reduced }], attrs: {}, outputs: [target] });
      acc = target;
    });
    this.replaced.set(index, replacement);
    this.changed = true;
  }

  result(): Program {
    if (!this.changed) return this.program;
    const nodes: KernelNode[] = [...(this.after.get(-1) ?? [])];
    this.program.nodes.forEach((node, index) => {
      nodes.push(...(this.replaced.get(index) ?? [node]));
      nodes.push(...(this.after.get(index) ?? []));
    });
    const values = new Map(this.values);
    nodes.forEach((node, at) => node.outputs.forEach((id, output) => values.set(id, { ...this.info(id), source: { kind: 'node', node: at, output } })));
    return { ...this.program, values, nodes };
  }

  private info(id: ValueId): Value {
    const value = this.values.get(id);
    if (!value) throw new Error(`value ${id} is not in the program`);
    return value;
  }

  /** The node that computes `id`, if a node does. */
  private nodeOf(id: ValueId): KernelNode | undefined {
    const at = this.producer.get(id);
    return at === undefined ? undefined : this.program.nodes[at];
  }

  /** `id` with renames of the same shape and dtype looked through. */
  private unrenamed(id: ValueId): ValueId {
    for (;;) {
      const node = this.nodeOf(id);
      const from = node?.inputs[0]?.value;
      const renames = node !== undefined && from !== undefined && (RENAMES.has(node.kernel) || (node.kernel === 'Cast' && node.attrs.dtype === 'float32'));
      if (!renames || from === undefined || !sameValueShape(this.info(from), this.info(id))) return id;
      id = from;
    }
  }

  /** x as a product of factors: Multiply and RealDiv nodes of x's own shape opened up, anything else a factor. */
  private factorsOf(x: ValueId, shape: readonly number[], divide = false): Factor[] {
    const id = this.unrenamed(x);
    const node = this.nodeOf(id);
    const sameShape = (v: ValueId) => this.info(v).shape.join() === shape.join() && this.info(v).dtype === 'float32';
    if (node && node.outputs.length === 1 && node.inputs.length === 2 && (node.kernel === 'Multiply' || node.kernel === 'RealDiv')) {
      const [a, b] = node.inputs.map((i) => i.value);
      const open = (v: ValueId, over: boolean) => (sameShape(v) ? this.factorsOf(v, shape, over) : [{ value: v, divide: over }]);
      // A quotient's denominator goes into the factors only as a whole: its own products divide too.
      if (node.kernel === 'Multiply') return [...open(a, divide), ...open(b, divide)];
      if (!divide) return [...open(a, false), { value: b, divide: true }];
    }
    return [{ value: id, divide }];
  }

  /**
   * Whether value `id`, broadcast into a shape of rank `rank` (aligned on the right), is the same along
   * every axis in `axes`.
   */
  private constantAlong(id: ValueId, rank: number, axes: ReadonlySet<number>): boolean {
    const value = this.info(id);
    if (value.dtype !== 'float32' && value.dtype !== 'bool' && value.dtype !== 'int32') return false;
    const offset = rank - value.shape.length;
    const along = value.shape.map((size, d) => size > 1 && axes.has(d + offset));
    if (!along.includes(true)) return true;
    if (value.source.kind === 'constant') return sameBitsThroughout(value.source.values);
    const node = this.nodeOf(id);
    if (!node || node.outputs.length !== 1) return false;
    if (node.kernel === 'Tile') {
      const input = this.info(node.inputs[0].value);
      // Copies of one element along each such axis, the same shape elsewhere.
      return input.shape.length === value.shape.length && along.every((a, d) => !a || input.shape[d] === 1) && this.tiledOnlyThere(node, along);
    }
    if (node.kernel !== 'Cast' && !RENAMES.has(node.kernel) && !isElementwise(node.kernel)) return false;
    if (RENAMES.has(node.kernel) && !sameValueShape(this.info(node.inputs[0].value), value)) return false;
    return node.inputs.every((i) => this.info(i.value).shape.length <= value.shape.length && this.constantAlong(i.value, rank, axes));
  }

  /** Whether a Tile repeats only along the axes marked (elsewhere reps 1). */
  private tiledOnlyThere(node: KernelNode, along: readonly boolean[]): boolean {
    const reps = node.attrs.reps as readonly number[] | undefined;
    return reps !== undefined && reps.every((r, d) => r === 1 || along[d]);
  }

  /**
   * Value `id` (constantAlong the axes) over the sum's output shape: its axes among `axes` removed.
   * New nodes go into `into`, in order.
   */
  private reduced(id: ValueId, rank: number, axes: ReadonlySet<number>, into: KernelNode[]): ValueId {
    const value = this.info(id);
    const offset = rank - value.shape.length;
    const kept = value.shape.filter((_, d) => !axes.has(d + offset));
    if (kept.length === value.shape.length) return id;
    const along = value.shape.map((size, d) => size > 1 && axes.has(d + offset));
    if (!along.includes(true)) return this.push(into, 'Reshape', [{ name: 'x', value: id }], { shape: kept }, kept, value.dtype);
    if (value.source.kind === 'constant') return this.constant(value.source.values[0], value.dtype);
    const node = this.nodeOf(id) as KernelNode;
    if (node.kernel === 'Tile' || RENAMES.has(node.kernel)) return this.reduced(node.inputs[0].value, rank, axes, into);
    const inputs = node.inputs.map((i) => ({ name: i.name, value: this.reduced(i.value, rank, axes, into) }));
    return this.push(into, node.kernel, inputs, node.attrs, kept, value.dtype);
  }

  /**
   * Σ over the sum node's axes of the product of `factors` (of the sum's input shape but for numbers the same
   * everywhere): multiplications first, then divisions, right after the last of the factors is computed (so
   * the loop computing them sums it).
   */
  private hoistedSum(factors: readonly Factor[], key: string, sum: KernelNode, shape: readonly number[]): ValueId {
    const ordered = [...factors].sort((a, b) => Number(a.divide) - Number(b.divide) || a.value - b.value);
    const at = Math.max(-1, ...ordered.map((f) => this.producer.get(f.value) ?? -1));
    const list = this.after.get(at) ?? [];
    this.after.set(at, list);
    let product = ordered[0].value;
    for (const next of ordered.slice(1)) {
      product = this.push(list, next.divide ? 'RealDiv' : 'Multiply', [{ name: 'a', value: product }, { name: 'b', value: next.value }], {}, shape, 'float32');
    }
    const out = this.push(list, 'Sum', [{ name: 'x', value: product }], sum.attrs, this.info(sum.outputs[0]).shape, 'float32');
    this.made.set(key, out);
    return out;
  }

  private push(into: KernelNode[], kernel: string, inputs: KernelNode['inputs'], attrs: KernelNode['attrs'], shape: readonly number[], dtype: string): ValueId {
    const out = this.newValue(shape, dtype);
    into.push({ kernel, inputs, attrs, outputs: [out] });
    return out;
  }

  private constant(value: number, dtype: string): ValueId {
    const id = this.nextId++;
    this.values.set(id, { id, shape: [], dtype, source: { kind: 'constant', values: Float32Array.of(value) } });
    return id;
  }

  private newValue(shape: readonly number[], dtype = 'float32'): ValueId {
    const id = this.nextId++;
    // The source is set when the nodes are laid out (result).
    this.values.set(id, { id, shape: [...shape], dtype, source: { kind: 'constant', values: new Float32Array(0) } });
    return id;
  }
}

function sameValueShape(a: ValueInfo, b: ValueInfo): boolean {
  return a.dtype === b.dtype && a.shape.join() === b.shape.join();
}
