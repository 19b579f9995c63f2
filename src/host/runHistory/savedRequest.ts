/**
 * What a saved run asked for, and back: the request kept in its file is the run's effective settings (the
 * runner's meta: optimizer, lr, hyperparameters, schedule, steps, seed), so Re-run repeats that run even
 * after the settings changed; unsaved editor texts are not kept (their hashes are).
 */
import type { RunMeta } from '../../protocol/runner';
import type { SavedRequest } from '../../protocol/savedRun';
import type { RunOrigin } from '../dashboardState';
import { scheduleFileOf, type RunChoice } from '../runSettings';

export function savedRequestOf(origin: RunOrigin, meta: RunMeta): SavedRequest {
  const { choice, target } = origin;
  const ruleFile = meta.optimizer.file ?? choice.rule?.file;
  return {
    file: target.file,
    objective: meta.objective,
    optimizer: meta.optimizer.id,
    ...(ruleFile !== undefined ? { ruleFile } : {}),
    lr: meta.optimizer.lr,
    hp: meta.optimizer.hp,
    ...(meta.schedule !== undefined && meta.schedule !== 'constant' ? { schedule: meta.schedule } : {}),
    steps: meta.steps,
    seed: meta.seed,
    ...(choice.curvatureEvery !== undefined ? { curvatureEvery: choice.curvatureEvery } : {}),
    ...(choice.landscape !== undefined ? { landscape: choice.landscape } : {}),
    ...(choice.group !== undefined ? { group: choice.group } : {}),
  };
}

/** The saved request as a run to start again (the files as they are on disk now). */
export function originOf(request: SavedRequest): RunOrigin {
  const scheduleFile = request.schedule !== undefined ? scheduleFileOf(request.schedule) : undefined;
  const choice: RunChoice = {
    ...(request.optimizer !== undefined ? { optimizer: request.optimizer } : {}),
    ...(request.ruleFile !== undefined ? { rule: { file: request.ruleFile } } : {}),
    ...(request.lr !== undefined ? { lr: request.lr } : {}),
    ...(request.hp !== undefined ? { hp: request.hp } : {}),
    ...(scheduleFile ? { scheduleFile, schedule: request.schedule } : request.schedule !== undefined ? { schedule: request.schedule } : { schedule: '' }),
    ...(request.steps !== undefined ? { steps: request.steps } : {}),
    ...(request.seed !== undefined ? { seed: request.seed } : {}),
    ...(request.curvatureEvery !== undefined ? { curvatureEvery: request.curvatureEvery } : {}),
    ...(request.landscape !== undefined ? { landscape: request.landscape } : {}),
  };
  return { target: { file: request.file, ...(request.objective !== undefined ? { objective: request.objective } : {}) }, choice };
}
