import * as fs from 'node:fs';
import type * as tfType from '@tensorflow/tfjs';
import type { ObjectiveInfo, RuleInfo, RunError, ScheduleInfo } from '../protocol/runner';
import { compileObjective } from './compile';
import { loadBundle } from './loadBundle';
import { objectiveFailure } from './objectiveFunction';
import { describeObjectives, discoverObjectives } from './objectives';
import { describeRules, discoverRules } from './optimizerRules';
import { RunFailure } from './runFailure';
import { describeSchedules, discoverSchedules } from './scheduleFunctions';

export interface FileListing {
  objectives: ObjectiveInfo[];
  /** The optimizer rules the same file exports (a file may hold both). */
  optimizers: RuleInfo[];
  /** The schedule functions it exports: (step) => factor or (step, lr) => lr. */
  schedules: ScheduleInfo[];
  error?: RunError;
}

/**
 * The objectives of a file with their parameter counts, its optimizer rules with their defaults and its schedule
 * functions, or the error that prevents listing them.
 */
export async function listObjectives(file: string, text: string | undefined, tf: typeof tfType): Promise<FileListing> {
  try {
    const compiled = await compileObjective(file, text);
    tf.engine().startScope();
    try {
      let exports: Record<string, unknown>;
      try {
        exports = loadBundle(compiled, tf);
      } catch (e) {
        throw objectiveFailure(e, { file: compiled.file, sources: compiled.sources, name: '(module)' }, 'while loading the file');
      }
      const source = text ?? fs.readFileSync(compiled.file, 'utf8');
      return {
        objectives: describeObjectives(discoverObjectives(exports, source), compiled.file, tf),
        optimizers: describeRules(discoverRules(exports, source)),
        schedules: describeSchedules(discoverSchedules(exports, source)),
      };
    } finally {
      tf.engine().endScope();
    }
  } catch (e) {
    if (e instanceof RunFailure) return { objectives: [], optimizers: [], schedules: [], error: e.error };
    throw e;
  }
}
