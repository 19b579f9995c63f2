/**
 * Stage 2 of compileProgram: which values are needed and which are aliases.
 * Reshapes, identities and no-op casts only rename a value, and so does an
 * elementwise kernel repeating an earlier one on the same inputs, so every value
 * has a root (the value it is the same elements as); kernels no output
 * depends on are dropped (backprop also differentiates with respect to
 * constants, and value-and-gradient traces compute values nobody reads); and
 * each root knows the kernels that read it, which is how fusion tells a
 * loop-local value from one that must be stored.
 */
import { isElementwise } from './elementwiseKernels';
import { sizeOf, type KernelNode, type Program, type ValueId, type ValueInfo, type ValueSource } from './program';

/** Kernels that only reinterpret their first input's shape (same elements, same order). */
const ALIAS_KERNELS = new Set(['Identity', 'Reshape', 'ExpandDims', 'Squeeze', 'EnsureShape']);

export interface ValueGraph {
  readonly program: Program;
  shapeOf(id: ValueId): readonly number[];
  sizeOf(id: ValueId): number;
  dtypeOf(id: ValueId): string;
  sourceOf(id: ValueId): ValueSource;
  /** The value `id` is another name for (itself when it is computed or captured). */
  root(id: ValueId): ValueId;
  isAlias(node: KernelNode): boolean;
  /** Whether some output depends on node `index` (aliases excluded: they only rename). */
  isNeeded(index: number): boolean;
  /** The needed nodes that read root `root`. */
  readersOf(root: ValueId): ReadonlySet<number>;
  /**
   * Makes `id`, the output of node `index`, another name for `base` (x·1 = x): base's readers
   * now include id's, and no longer node `index`, which computes nothing any more.
   */
  alias(id: ValueId, base: ValueId, index: number): void;
}

/**
 * Step(x) as Step(Relu(x)) when Relu(x) was computed before it (relus: by x's root, Relu's output): relu's
 * gradient, dy·step(x), then reads the activation the forward pass stores anyway, so the pre-activation is
 * not stored as well (a layer's output fewer written per run). Equal for every x: x > 0 stays x; x ≤ 0,
 * −0 and −∞ become 0, which Step sends where it sends them (its alpha); NaN stays NaN.
 */
function stepOfRelu(node: KernelNode, relus: ReadonlyMap<ValueId, ValueId>, root: (id: ValueId) => ValueId, info: (id: ValueId) => ValueInfo): KernelNode {
  if (node.kernel !== 'Step' || node.inputs.length !== 1) return node;
  const x = node.inputs[0].value;
  const relu = relus.get(root(x));
  const [from, to] = relu === undefined ? [] : [info(x), info(relu)];
  if (relu === undefined || !from || !to || from.dtype !== 'float32' || to.dtype !== 'float32' || from.shape.join() !== to.shape.join()) return node;
  return { ...node, inputs: [{ name: node.inputs[0].name, value: relu }] };
}

/** The nodes some output depends on (aliases excluded), and the needed nodes that read each root. */
function neededAndReaders(program: Program, root: (id: ValueId) => ValueId, isAlias: (node: KernelNode) => boolean): { needed: Set<number>; readers: Map<ValueId, Set<number>> } {
  const needed = new Set<number>();
  const readers = new Map<ValueId, Set<number>>();
  const neededValues = new Set(program.outputs.map(root));
  for (let index = program.nodes.length - 1; index >= 0; index--) {
    const node = program.nodes[index];
    if (isAlias(node) || !node.outputs.some((id) => neededValues.has(root(id)))) continue;
    needed.add(index);
    for (const input of node.inputs) neededValues.add(root(input.value));
  }
  program.nodes.forEach((node, index) => {
    if (!needed.has(index)) return;
    for (const input of node.inputs) {
      const r = root(input.value);
      if (!readers.has(r)) readers.set(r, new Set());
      readers.get(r)?.add(index);
    }
  });
  return { needed, readers };
}

export function valueGraph(program: Program): ValueGraph {
  const roots = new Map<ValueId, ValueId>();
  const info = (id: ValueId) => {
    const v = program.values.get(id);
    if (!v) throw new Error(`value ${id} is not in the program`);
    return v;
  };
  const root = (id: ValueId): ValueId => {
    // Chains: an alias of a value that later turned out to alias another (x·1 = x).
    let r = id;
    for (let next = roots.get(r); next !== undefined && next !== r; next = roots.get(r)) r = next;
    return r;
  };
  /** Elementwise nodes that repeat an earlier node's computation (aliases of its output). */
  const repeats = new Set<KernelNode>();
  const isAlias = (node: KernelNode): boolean => {
    if (ALIAS_KERNELS.has(node.kernel) || repeats.has(node)) return true;
    if (node.kernel !== 'Cast') return false;
    const to = node.attrs.dtype;
    const from = info(node.inputs[0].value).dtype;
    return to === 'float32' || to === from || (to === 'int32' && from === 'bool');
  };

  // An elementwise kernel is pure: a second node of it on the same elements with the same attributes
  // (a gradient's tanh(x) after the forward's) is another name for the first one's output.
  const firsts = new Map<string, ValueId>();
  const nodes = program.nodes.slice();
  const relus = new Map<ValueId, ValueId>();
  nodes.forEach((original, index) => {
    const node = (nodes[index] = stepOfRelu(original, relus, root, info));
    if (isAlias(node)) {
      roots.set(node.outputs[0], root(node.inputs[0].value));
      return;
    }
    if (node.kernel === 'Relu' && !relus.has(root(node.inputs[0].value))) relus.set(root(node.inputs[0].value), node.outputs[0]);
    if (node.outputs.length !== 1 || !isElementwise(node.kernel)) return;
    const out = info(node.outputs[0]);
    const key = `${node.kernel}|${JSON.stringify(node.attrs)}|${out.dtype}|${out.shape.join(',')}|${node.inputs.map((i) => `${i.name}=${root(i.value)}`).join(',')}`;
    const first = firsts.get(key);
    if (first === undefined) firsts.set(key, node.outputs[0]);
    else {
      roots.set(node.outputs[0], root(first));
      repeats.add(node);
    }
  });
  program = { ...program, nodes };
  const { needed, readers } = neededAndReaders(program, root, isAlias);

  return {
    program,
    shapeOf: (id) => info(id).shape,
    sizeOf: (id) => sizeOf(info(id).shape),
    dtypeOf: (id) => info(id).dtype,
    sourceOf: (id) => info(id).source,
    root,
    isAlias,
    isNeeded: (index) => needed.has(index),
    readersOf: (r) => readers.get(r) ?? new Set(),
    alias(id, base, index) {
      const r = root(base);
      roots.set(id, r);
      const merged = readers.get(r) ?? new Set<number>();
      merged.delete(index);
      for (const reader of readers.get(id) ?? []) merged.add(reader);
      readers.set(r, merged);
    },
  };
}
