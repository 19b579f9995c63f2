/**
 * The optimizer catalogue as plain data, derived from the registry (OPTIMIZERS): what `optlab list-optimizers`
 * prints, what the build writes to dist/optimizers.json for the editor host (which does not load TensorFlow.js)
 * and what the README's table and the dashboard's menu show. Nothing here is written by hand: a rule added to
 * the registry appears everywhere.
 */
import type { HpSpec, HpValue } from '../hyperparams';
import type { OptimizerFactory, ParamShapes } from '../optimizer';
import { OPTIMIZERS } from './registry';

export interface HyperparamDescription {
  readonly name: string;
  readonly kind: HpSpec['kind'];
  readonly default: HpValue;
  readonly doc: string;
}

/** Whether an optimizer runs on the fast path (plain arrays, compiled rules) for each kind of parameter. */
export interface FastPathDescription {
  readonly vector: boolean;
  readonly matrix: boolean;
  /** Why not (the first reason found), or what a hand-written method uses instead. */
  readonly note?: string;
}

export interface OptimizerDescription {
  readonly id: string;
  readonly family: string;
  readonly summary: string;
  /** What it follows: the torch class, or the paper. */
  readonly reference: string;
  /** The torch.optim class it matches step for step; absent when torch has none. */
  readonly torchClass?: string;
  readonly defaultLr: number;
  readonly hyperparams: HyperparamDescription[];
  readonly fastPath: FastPathDescription;
}

/** The shapes the fast-path check creates each optimizer for: one vector, one matrix. */
export const PROBE_SHAPES: { readonly vector: ParamShapes; readonly matrix: ParamShapes } = {
  vector: [{ name: 'x', shape: [4] }],
  matrix: [{ name: 'w', shape: [3, 2] }],
};

/** Creates the optimizer with its defaults for `shapes` and says whether it has a plain-array form, and if not why. */
function probe(factory: OptimizerFactory, shapes: ParamShapes): { compiles: boolean; reason?: string } {
  const optimizer = factory.create({}, shapes);
  if (optimizer.arrays) return { compiles: true };
  return { compiles: false, ...(optimizer.arraysUnavailable ? { reason: optimizer.arraysUnavailable } : {}) };
}

function fastPathOf(factory: OptimizerFactory): FastPathDescription {
  const vector = probe(factory, PROBE_SHAPES.vector);
  const matrix = probe(factory, PROBE_SHAPES.matrix);
  const note = vector.reason ?? matrix.reason ?? (vector.compiles && matrix.compiles ? undefined : 'runs on tensors');
  return { vector: vector.compiles, matrix: matrix.compiles, ...(note ? { note } : {}) };
}

/** 'torch.optim.Adafactor' from 'torch.optim.Adafactor (torch 2.5)'; undefined for '(none: …)'. */
function torchClassOf(torchName: string): string | undefined {
  return /^torch\.optim\.[A-Za-z_]\w*/.exec(torchName)?.[0];
}

export function describeOptimizer(factory: OptimizerFactory): OptimizerDescription {
  return {
    id: factory.id,
    family: factory.family,
    summary: factory.summary,
    reference: factory.reference,
    ...(torchClassOf(factory.torchName) ? { torchClass: torchClassOf(factory.torchName) } : {}),
    defaultLr: factory.defaultLr,
    hyperparams: factory.hyperparams.map(({ name, kind, default: value, doc }) => ({ name, kind, default: value, doc })),
    fastPath: fastPathOf(factory),
  };
}

/** Every registered optimizer, in the registry's order (families keep their members together). */
export function optimizerCatalog(factories: readonly OptimizerFactory[] = OPTIMIZERS): OptimizerDescription[] {
  return factories.map(describeOptimizer);
}
