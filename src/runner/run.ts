/**
 * One run: compile and load the objective, validate it, build the flat
 * evaluate/hvp closures, run the core loop and stream typed events.
 * Everything the run allocates lives in one engine scope that is closed at
 * the end, so a failing objective leaks no tensors into the warm process.
 */
import * as fs from 'node:fs';
import type * as tfType from '@tensorflow/tfjs';
import { fusedProducts } from '../core/compiled/gemmKernels';
import { productThreadCount } from '../core/compiled/productThreads';
import { gradientTransform } from '../core/gradientTransforms';
import { HyperparameterError } from '../core/hyperparams';
import type { MinimizeResult } from '../core/loopRecords';
import type { Optimizer, OptimizerFactory, ParamShapes } from '../core/optimizer';
import { UnknownOptimizerError, optimizerFactory } from '../core/optimizers/registry';
import { RuleFailure } from '../core/rules/ruleFailure';
import type { ParamLayout } from '../core/paramLayout';
import type { Schedule } from '../core/schedule';
import { parseSchedule } from '../core/schedules/parseSchedule';
import { scheduleForm } from '../core/schedules/scheduleForm';
import { UserScheduleError } from '../core/schedules/userSchedule';
import type { ComputeRecord } from '../protocol/computeRecord';
import { TRAJECTORY_MAX_PARAMS, type RunError, type RunMeta, type RunRequest, type RunnerToHost } from '../protocol/runner';
import { planArrayPath, type CompiledObjectiveSource } from './arrayPath';
import { batchedObjective, type BatchedObjective } from './batchedObjective';
import type { BackendChoice } from './backend';
import { compileObjective } from './compile';
import { curvatureSampler, type CurvatureSampler } from './curvatureSampler';
import { diagnosticsContext } from './diagnosticsContext';
import type { DiagnosticsContext } from './sampleDiagnostics';
import { watchState } from './stateWatch';
import { runLoop } from './runLoop';
import { startRunThreads } from './runThreads';
import { LANDSCAPE_BUDGET_MS, landscapeTask } from './landscape';
import { loadBundle } from './loadBundle';
import { prepareScheduleFile, scheduleRunFailure, type LoadedSchedule } from './loadSchedule';
import { compileRuleFile, loadRule, ruleInObjectiveFile, ruleLocation, ruleRunFailure, type LoadedRule, type RuleSite } from './loadRule';
import { objectiveFailure, type ObjectiveSite } from './objectiveFunction';
import { discoverObjectives, pickObjective, prepareObjective, type PreparedObjective } from './objectives';
import { paramNames } from './paramNames';
import type { Emit, RunControl } from './runControl';
import { paramsForMessage, writeNpy } from './paramsOut';
import { withLrSet } from './lrSet';
import { RunFailure } from './runFailure';
import { stepDiagnosticsFor } from './stepDiagnostics';



/** RunMeta.lossAt of an optimizer with an evaluation point (a rule's evaluationPoint, e.g. schedule-free's average). */
export const LOSS_AT_EVALUATION_POINT = 'evaluation point x (gradients taken at y)';

/** Longest schedule preview sent with 'started' (steps beyond it are not previewed). */
export const SCHEDULE_PREVIEW_MAX = 100_000;

interface RunOptimizer {
  readonly optimizer: Optimizer;
  readonly lr: number;
  /** The spec's schedule; undefined when the schedule is a user's function, made once its file is loaded. */
  readonly schedule?: Schedule;
}

/** A built-in optimizer's factory; an unknown id lists the valid ones. */
function builtInFactory(id: string): OptimizerFactory {
  try {
    return optimizerFactory(id);
  } catch (e) {
    if (e instanceof UnknownOptimizerError) throw new RunFailure({ kind: 'unknown-optimizer', message: e.message });
    throw e;
  }
}

/**
 * The optimizer, its lr (the factory's default when not given) and the schedule. A rule's
 * hyperparameter errors stay kind 'hyperparameter' (the request is wrong, not the rule) and point
 * at the rule's declaration, whose defaults name the valid ones.
 */
function setUpOptimizer(req: RunRequest, factory: OptimizerFactory, shapes?: ParamShapes, rule?: RuleSite): RunOptimizer {
  try {
    const lr = req.optimizer.lr ?? factory.defaultLr;
    if (!(lr >= 0) || !Number.isFinite(lr)) throw new HyperparameterError(`invalid lr for '${factory.id}': must be >= 0, got ${lr}`);
    const optimizer = factory.create(req.optimizer.hp, shapes);
    if (req.scheduleFile) return { optimizer, lr };
    try {
      return { optimizer, lr, schedule: parseSchedule(req.schedule, lr, req.steps) };
    } catch (e) {
      throw new RunFailure({ kind: 'schedule', message: (e as Error).message });
    }
  } catch (e) {
    if (e instanceof HyperparameterError) throw new RunFailure({ kind: 'hyperparameter', message: e.message, ...(rule ? ruleLocation(rule) : {}) });
    // A rule traced while it is compiled (create) can fail as at its first update.
    if (e instanceof RuleFailure && rule) throw ruleRunFailure(e, rule);
    throw e;
  }
}

/** The schedule's lr at a step; after the last step (the final curvature sample) the last step's, where a user's schedule need not be defined. */
function lrAfterLastStep(schedule: Schedule, steps: number): (step: number) => number {
  const lrAt = (step: number): number => {
    try {
      return schedule.lrAt(step);
    } catch (e) {
      if (e instanceof UserScheduleError && step >= steps && step >= 1) return lrAt(step - 1);
      throw e;
    }
  };
  return lrAt;
}

/** Curvature samples of the minimised function, reported for the user's (−f when maximising), on the fixed batch. */
function runCurvatureSampler(req: RunRequest, objective: BatchedObjective, compiled: boolean, diagnostics: DiagnosticsContext | undefined, emit: Emit): CurvatureSampler {
  return curvatureSampler({
    cadence: req.curvatureEvery,
    f: objective.minimized,
    negated: req.optimizer.maximize === true,
    evaluate: objective.signed,
    withFixedBatch: objective.withFixedBatch,
    seed: req.seed,
    compileHessian: compiled,
    ...(diagnostics ? { diagnostics } : {}),
    emit: (sample) => emit({ type: 'curvature', runId: req.runId, sample }),
  });
}

/**
 * The compiled plan, or why the run stays on tensors; then a first evaluation finds a non-scalar loss, a
 * missing gradient path or a throwing objective before anything streams. A compiled plan has traced the
 * objective (at full length, or at a small one for a long vector: then the same program) and run it at full
 * length; a tensor evaluation would grow the backend's heap by the vector's intermediates (hundreds of MB at
 * n = 1e7) to learn nothing more.
 */
function planPath(req: RunRequest, optimizer: Optimizer, objective: BatchedObjective, prepared: PreparedObjective,
  x0: Float32Array, stateWanted: boolean, tf: typeof tfType, compiledObjective?: CompiledObjectiveSource): ReturnType<typeof planArrayPath> {
  const arrayPath: ReturnType<typeof planArrayPath> = stateWanted ? { reason: 'the optimizer\'s state is recorded on the path (pathState)' } : planArrayPath({
    optimizer, f: objective.minimized, setBatch: objective.setBatch, dataset: prepared.dataset, x0, steps: req.steps,
    project: prepared.project,
    disabled: !(req.compile ?? process.env.OPTLAB_COMPILE !== '0'),
    ...(compiledObjective ? { compiledObjective } : {}),
  }, tf);
  if (!arrayPath.plan) {
    const probe = objective.evaluate(prepared.x0, 0);
    probe.loss.dispose();
    probe.grad.dispose();
  }
  return arrayPath;
}

/**
 * The run's optimizer (watched: the edge-of-stability sample reads its latest state, Adam's second moment),
 * lr and schedule. A rule updates each parameter tensor in its own shape: it is made once the layout is known.
 * Built-ins too (the early one only checked the request): matrix-aware ones (adafactor, muon) treat matrices apart.
 */
function runOptimizer(req: RunRequest, layout: ParamLayout, rule: LoadedRule | undefined, userSchedule: LoadedSchedule | undefined) {
  const factory = rule ? rule.factory : builtInFactory(req.optimizer.id);
  const { optimizer, lr, schedule } = setUpOptimizer(req, factory, layout.slots, rule?.site);
  const watched = watchState(optimizer, req.curvatureEvery !== 0 || req.diagnostics !== undefined);
  return { watched, lr, schedule: userSchedule ? userSchedule.create(lr) : (schedule as Schedule) };
}

/** What the request and the run's control say about the landscape: wanted or not, its seed and time budget. */
function landscapeSettings(req: RunRequest, control: RunControl, tf: typeof tfType) {
  return { wanted: req.landscape, seed: req.seed, tf, isCancelled: control.isCancelled, budgetMs: Math.min(LANDSCAPE_BUDGET_MS, req.timeLimitMs / 10) };
}

type Compiled = Awaited<ReturnType<typeof compileObjective>>;

/** The objective's module loaded and its objective picked, the rule and the schedule function loaded (their files compiled before). */
function loadRunFiles(req: RunRequest, compiled: Compiled, ruleCompiled: Compiled | undefined,
  pendingSchedule: Awaited<ReturnType<typeof prepareScheduleFile>> | undefined, tf: typeof tfType, control: RunControl) {
  let exports: Record<string, unknown>;
  const sites = { file: compiled.file, sources: compiled.sources };
  try {
    exports = loadBundle(compiled, tf);
  } catch (e) {
    throw objectiveFailure(e, { ...sites, name: '(module)' }, 'while loading the file');
  }
  const source = req.text ?? readSource(compiled.file);
  const entry = pickObjective(exports, discoverObjectives(exports, source), compiled.file, req.objective);
  const site: ObjectiveSite = { ...sites, name: entry.name, line: entry.line };
  control.located?.({ file: compiled.file, ...(entry.line !== undefined ? { line: entry.line } : {}) });
  const ruleFile = req.optimizer.rule;
  const rule: LoadedRule | undefined = !ruleFile ? undefined : ruleCompiled
    ? loadRule(req.optimizer.id, ruleCompiled, ruleFile.text, tf)
    : loadRule(req.optimizer.id, compiled, source, tf, exports);
  const userSchedule: LoadedSchedule | undefined = pendingSchedule?.load({ compiled, source, exports }, tf);
  return { entry, site, rule, userSchedule };
}

/** The request checked as far as it can be before compiling, then the objective's, the rule's and the schedule's files compiled. */
async function compileRunFiles(req: RunRequest, control: RunControl) {
  if (req.scheduleFile && req.schedule !== undefined) {
    throw new RunFailure({ kind: 'schedule', message: 'a run takes a schedule spec or a schedule file (scheduleFile), not both' });
  }
  // A built-in is checked before anything compiles; a rule needs its file loaded and the objective's parameter shapes.
  if (!req.optimizer.rule) setUpOptimizer(req, builtInFactory(req.optimizer.id));
  const compile = control.compile ?? compileObjective;
  const compiled = await compile(req.file, req.text);
  const ruleFile = req.optimizer.rule;
  const sharedBundle = ruleFile !== undefined && ruleInObjectiveFile(ruleFile, req.file, req.text);
  // undefined: no rule, or the rule is in the objective's own bundle.
  const ruleCompiled = ruleFile && !sharedBundle ? await compileRuleFile(ruleFile, compile) : undefined;
  const pendingSchedule = req.scheduleFile ? await prepareScheduleFile(req.scheduleFile, req.file, req.text) : undefined;
  return { compiled, ruleCompiled, pendingSchedule };
}

/** Runs one request to its end; throws RunFailure (or an internal Error) on failure. */
export async function runObjective(req: RunRequest, backend: BackendChoice, tf: typeof tfType, emit: Emit, control: RunControl): Promise<void> {
  const received = Date.now();
  const { compiled, ruleCompiled, pendingSchedule } = await compileRunFiles(req, control);
  const stopThreads = startRunThreads(req.threads);
  tf.engine().startScope();
  let prepared: PreparedObjective | undefined;
  let result: MinimizeResult | undefined;
  /** The compiled loop's final parameters, read without a copy through a tensor. */
  let finalValues: Float32Array | undefined;
  let rule: LoadedRule | undefined;
  let userSchedule: LoadedSchedule | undefined;
  try {
    const loaded = loadRunFiles(req, compiled, ruleCompiled, pendingSchedule, tf, control);
    const { entry, site } = loaded;
    rule = loaded.rule;
    userSchedule = loaded.userSchedule;
    // What the compiled program and the data depend on: the bundle, the objective, its seeded data and start, the steps, the sign.
    const programKey = `${compiled.sourceHash}#${entry.name}#${req.seed}#${req.steps}#${req.optimizer.maximize === true}`;
    prepared = prepareObjective(entry, compiled.file, req.seed, tf, control.keptData?.(programKey));
    const { layout, dataset } = prepared;
    const { watched, lr, schedule } = runOptimizer(req, layout, rule, userSchedule);
    const optimizer = watched.optimizer;
    const objective = batchedObjective(entry.fn, layout, site, dataset, req.steps, req.optimizer.maximize === true, tf);
    // Clipping and Langevin noise, on the loop's gradient array: one transform for both paths.
    const transformGradient = gradientTransform({ ...req.optimizer, seed: req.seed });

    const x0Values = prepared.x0Values;
    // The optimizer's vectors on the path come from its tensor form's `inspect` (a compiled rule has none).
    const stateWanted = req.pathState === true && layout.size <= TRAJECTORY_MAX_PARAMS;
    const arrayPath = planPath(req, optimizer, objective, prepared, x0Values, stateWanted, tf, control.compiledObjective?.(programKey));

    const meta = runMetaOf({
      req, backend, objective: entry.name, sourceHash: compiled.sourceHash, optimizer, lr, ruleFile: rule?.site.file, schedule,
      scheduleFile: userSchedule?.site, layout, prepared, x0: x0Values, compute: arrayPath,
    });
    const perStep = stepDiagnosticsFor(req, layout.slots, { gauge: !optimizer.evaluationPoint, sameBatch: !dataset || dataset.batchSize >= dataset.size, x0: x0Values });
    emit({ type: 'started', runId: req.runId, meta: { ...meta, ...perStep?.metaFields() }, file: req.file });
    const landscape = landscapeTask({
      raw: objective.raw, f: objective.f, maximize: req.optimizer.maximize, layout, x0: x0Values, names: meta.paramNames, domain: prepared.domain,
      ...landscapeSettings(req, control, tf), cacheKey: `${compiled.sourceHash}#${entry.name}${req.optimizer.maximize === true ? '#max' : ''}`, withFixedBatch: objective.withFixedBatch,
      describeError: (e) => objectiveFailure(e, site, 'while computing the landscape').error.message,
      emit: (m) => emit({ type: 'landscape', runId: req.runId, ...m }),
    });
    await landscape.start();
    const curvature = runCurvatureSampler(req, objective, arrayPath.plan !== undefined,
      diagnosticsContext(req, watched, dataset, objective.setBatch, objective.unsigned, layout.slots, tf), emit);
    const controlled = withLrSet(schedule, control.lrSet);
    const lrAt = lrAfterLastStep(controlled, req.steps);
    // Only a due sample makes x0's tensor (the compiled path needs none).
    if (curvature.isDue(0)) await curvature.maybeSample(0, prepared.x0, lrAt(0));

    const ran = await runLoop({
      req, tf, emit, control, received, arrayPath, objective, prepared, optimizer, x0Values, transformGradient, perStep,
      curvature, landscape, schedule: controlled, lrAt, stateWanted,
    });
    result = ran.result;
    finalValues = ran.finalValues;
    // Asked first: reading a compiled run's params makes their tensor.
    if (result.status === 'completed' && curvature.isDue(result.stepsDone, true)) await curvature.maybeSample(result.stepsDone, result.params, lrAt(result.stepsDone), true);
    const values = finalValues ?? Float32Array.from(await result.params.data());
    if (result.status === 'completed') await landscape.finish(values);
    emit(doneEvent(req, result, values, curvature.problem));
  } catch (e) {
    // The rule's init or update threw (or returned something unusable) inside the loop: say it at the rule's line.
    if (e instanceof RuleFailure && rule) throw ruleRunFailure(e, rule.site);
    // The schedule function threw or gave an unusable lr (in the preview or at a step of the run).
    if (e instanceof UserScheduleError && userSchedule) throw scheduleRunFailure(e, userSchedule.site);
    throw e;
  } finally {
    // A compiled run's final tensor exists only if something read it; the scope's end frees it then.
    if (finalValues === undefined) result?.params.dispose();
    prepared?.dispose();
    tf.engine().endScope();
    stopThreads();
  }
}

interface MetaInputs {
  readonly req: RunRequest;
  readonly backend: BackendChoice;
  readonly objective: string;
  readonly sourceHash: string;
  readonly optimizer: Optimizer;
  readonly lr: number;
  /** A workspace rule's file. */
  readonly ruleFile?: string;
  readonly schedule: Schedule;
  /** A schedule function's file and name (else the schedule is its spec). */
  readonly scheduleFile?: { readonly file: string; readonly name: string };
  readonly layout: PreparedObjective['layout'];
  readonly prepared: PreparedObjective;
  readonly x0: Float32Array;
  /** The compiled plan, or why the run stays on tensors. */
  readonly compute: ReturnType<typeof planArrayPath>;
}

/** What the run's `started` event says about it. */
function runMetaOf(m: MetaInputs): RunMeta {
  const { req, backend, optimizer, schedule, prepared, compute } = m;
  return {
    objective: m.objective,
    optimizer: { id: optimizer.id, lr: m.lr, hp: { ...optimizer.hp }, ...(m.ruleFile !== undefined ? { file: m.ruleFile } : {}) },
    schedule: schedule.spec,
    scheduleForm: m.scheduleFile ? { type: 'function', file: m.scheduleFile.file, name: m.scheduleFile.name } : scheduleForm(schedule.spec),
    paramCount: m.layout.size,
    paramNames: paramNames(m.layout),
    steps: req.steps,
    seed: req.seed,
    ...(req.optimizer.maximize === true ? { maximize: true } : {}),
    backend: backend.backend,
    tfjsVersion: backend.tfjsVersion,
    sourceHash: m.sourceHash,
    ...(prepared.minimum !== undefined ? { minimum: prepared.minimum } : {}),
    ...(prepared.domain ? { domain: prepared.domain } : {}),
    // Every step up to a cap: a 10-million-step run must not send (or compute) 10 million numbers up front.
    schedulePreview: Array.from({ length: Math.min(req.steps, SCHEDULE_PREVIEW_MAX) }, (_, k) => schedule.lrAt(k)),
    ...initialParamsFields(m.x0),
    compute: computeRecord(compute),
    ...(optimizer.evaluationPoint ? { lossAt: LOSS_AT_EVALUATION_POINT } : {}),
  };
}

/** The meta's `compute` record: the path the steps take and, compiled, how its products run. */
function computeRecord(compute: ReturnType<typeof planArrayPath>): ComputeRecord {
  if (!compute.plan) return { path: 'tensors', reason: compute.reason };
  const { simd, note } = compute.plan;
  return {
    path: 'compiled', ...(simd ? { simd: true } : {}), threads: productThreadCount(),
    ...(simd && fusedProducts() ? { fusedMultiplyAdd: true } : {}), ...(note ? { reason: note } : {}),
  };
}

/** The run's `done` event: its outcome, the final point (summarised when large, saved when asked) and its speed. */
function doneEvent(req: RunRequest, result: MinimizeResult, values: Float32Array, curvatureProblem: RunError | undefined): RunnerToHost {
  const { params, summary } = paramsForMessage(values);
  const paramsFile = req.saveParams === undefined ? undefined : saveParams(req.saveParams, values);
  const message = [statusMessage(result, req), curvatureProblem?.message].filter(Boolean).join('; ');
  const seconds = Math.max(result.wallMs, 1) / 1000;
  return {
    type: 'done',
    runId: req.runId,
    status: result.status,
    final: {
      loss: result.final.loss, gradNorm: result.final.gradNorm, params,
      ...(summary ? { paramsSummary: summary } : {}), ...(paramsFile !== undefined ? { paramsFile } : {}),
    },
    stepsPerSecond: result.stepsDone / seconds,
    wallMs: result.wallMs,
    evals: result.evals,
    ...(message ? { message } : {}),
    ...(curvatureProblem ? { curvatureError: curvatureProblem } : {}),
  };
}

function statusMessage(r: MinimizeResult, req: RunRequest): string | undefined {
  if (r.status === 'diverged') return `diverged at step ${r.divergedAt}: the loss or gradient became NaN or Infinity (earlier steps kept)`;
  if (r.status === 'time-limit') return `stopped at the time limit (${req.timeLimitMs / 1000} s) after ${r.stepsDone} of ${req.steps} steps`;
  if (r.status === 'cancelled') return `cancelled after ${r.stepsDone} of ${req.steps} steps`;
  return undefined;
}

/** RunMeta's initialParams: every value for a small run, else [] and a summary. */
function initialParamsFields(x0: Float32Array): Pick<RunMeta, 'initialParams' | 'initialParamsSummary'> {
  const { params, summary } = paramsForMessage(x0);
  return { initialParams: params, ...(summary ? { initialParamsSummary: summary } : {}) };
}

/** Writes the final parameters as .npy; a failure to write is the request's problem, said with the path. */
function saveParams(file: string, values: Float32Array): string {
  try {
    return writeNpy(file, values);
  } catch (e) {
    throw new RunFailure({ kind: 'internal', message: `could not write the final parameters to ${file}: ${(e as Error).message}` });
  }
}

function readSource(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
