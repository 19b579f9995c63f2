/**
 * A run's optimizer when it is a user's rule (`optimizer.rule`): the rule's
 * file compiled and loaded as objective files are (esbuild, source maps, the
 * runner's tfjs), the rule picked by name and made an OptimizerFactory; and
 * every failure in it said at the rule file's line, with kind 'optimizer-rule'.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as tfType from '@tensorflow/tfjs';
import type { OptimizerFactory } from '../core/optimizer';
import { InvalidRuleError, ruleFactory } from '../core/rules/ruleFactory';
import type { RuleFailure } from '../core/rules/ruleFailure';
import type { RunError, RuleFile } from '../protocol/runner';
import { compileObjective, type CompiledObjective } from './compile';
import { loadBundle } from './loadBundle';
import { discoverRules, pickRule } from './optimizerRules';
import { RunFailure, locateInStack, trimStack } from './runFailure';

/** Where a rule lives: its error messages point here. */
export interface RuleSite {
  readonly name: string;
  readonly file: string;
  /** 1-based line of the rule's declaration, when found. */
  readonly line?: number;
  /** Every user source file in the rule's bundle (to find the user's frame in stacks). */
  readonly sources: readonly string[];
}

export interface LoadedRule {
  readonly factory: OptimizerFactory;
  readonly site: RuleSite;
}

/** The rule's file and declaration line, as RunError fields. */
export function ruleLocation(site: RuleSite): Pick<RunError, 'file' | 'line'> {
  return site.line ? { file: site.file, line: site.line } : { file: site.file };
}

/**
 * Whether the rule comes from the objective's own bundle (same file, same text): then the module
 * is compiled and loaded once, and the rule and the objective share its module-level state.
 */
export function ruleInObjectiveFile(rule: RuleFile, objectiveFile: string, objectiveText: string | undefined): boolean {
  return path.resolve(rule.file) === path.resolve(objectiveFile) && rule.text === objectiveText;
}

/** Compiles the rule's file; its syntax errors are the rule's ('optimizer-rule', at its file:line:column). */
export async function compileRuleFile(rule: RuleFile, compile = compileObjective): Promise<CompiledObjective> {
  try {
    return await compile(rule.file, rule.text);
  } catch (e) {
    if (e instanceof RunFailure) throw new RunFailure({ ...e.error, kind: 'optimizer-rule' });
    throw e;
  }
}

function readSource(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Something the rule's own code threw, at the first frame in the rule's sources (source-mapped), else at `fallback`. */
function thrownAt(e: unknown, sources: readonly string[], fallback: Pick<RunError, 'file' | 'line'>, message: string): RunFailure {
  const err = e instanceof Error ? e : undefined;
  const loc = locateInStack(err?.stack, sources);
  const stack = trimStack(err?.stack, sources);
  return new RunFailure({ kind: 'optimizer-rule', message, ...(loc ?? fallback), ...(stack ? { stack } : {}) });
}

/**
 * Loads the rule a run asked for from its compiled file (or from the objective's already loaded
 * `exports` when it is the same bundle), picks it by `name` ('' = the only one) and validates it.
 * Call inside the run's engine scope: tensors the module makes at load time are the run's.
 */
export function loadRule(
  name: string,
  compiled: CompiledObjective,
  source: string | undefined,
  tf: typeof tfType,
  loaded?: Record<string, unknown>,
): LoadedRule {
  let exports = loaded;
  if (!exports) {
    try {
      exports = loadBundle(compiled, tf);
    } catch (e) {
      throw thrownAt(e, compiled.sources, { file: compiled.file }, `optimizer rule file threw while loading: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const entry = pickRule(exports, discoverRules(exports, source ?? readSource(compiled.file)), compiled.file, name);
  const site: RuleSite = { name: entry.name, file: compiled.file, line: entry.line, sources: compiled.sources };
  try {
    return { factory: ruleFactory(entry.name, entry.rule, { file: compiled.file, line: entry.line }), site };
  } catch (e) {
    if (e instanceof InvalidRuleError) throw new RunFailure({ kind: 'optimizer-rule', message: e.message, ...ruleLocation(site) });
    throw e;
  }
}

/**
 * A rule's init or update failing, for the user: what its code threw is located by the cause's
 * stack (source-mapped to the rule's file); an unusable result (wrong shape, missing state) has no
 * frame of its own, so it points at the rule's declaration.
 */
export function ruleRunFailure(e: RuleFailure, site: RuleSite): RunFailure {
  if (e.badResult) return new RunFailure({ kind: 'optimizer-rule', message: e.message, ...ruleLocation(site) });
  return thrownAt(e.cause, site.sources, ruleLocation(site), e.message);
}
