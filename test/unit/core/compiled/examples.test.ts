import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { createOptimizer } from '../../../../src/core/optimizers/registry';
import { looksLikeRule, ruleFactory, validateRule } from '../../../../src/core/rules/ruleFactory';
import { planArrayPath } from '../../../../src/runner/arrayPath';
import { compileObjective } from '../../../../src/runner/compile';
import type { Batch } from '../../../../src/runner/dataset';
import { loadBundle } from '../../../../src/runner/loadBundle';
import { flatObjective } from '../../../../src/runner/objectiveFunction';
import { discoverObjectives, prepareObjective } from '../../../../src/runner/objectives';
import { EXAMPLES } from '../../runner/runInProcess';
import { useCpuBackend } from './compiledCheck';

/**
 * Every objective in examples/ goes through the plain-JS compiler as a run
 * would (planArrayPath: value and gradient traced, compiled and checked
 * against TensorFlow.js at x0 and a nearby point, every batch shape of the
 * run included). Projection is left out: only the objective is
 * under test. An objective either compiles or is refused for a reason listed
 * here.
 */
const REFUSED: Record<string, RegExp> = {
  // SAM takes a second gradient each step through the run's closures: model scope runs on tensors by design.
  'sharpnessAware.ts#samLion': /has model scope \(closures\), which runs on tensors/,
};

interface Outcome {
  readonly objective: string;
  readonly compiled: boolean;
  readonly reason?: string;
  /** Tensors left behind by compiling (and checking) the objective. */
  readonly leaked: number;
}

async function compileExample(file: string): Promise<Outcome[]> {
  const compiled = await compileObjective(path.join(EXAMPLES, file));
  // A run's scope: module-level tensors (quadratic.ts's curvatures) live until its end.
  tf.engine().startScope();
  try {
    const exports = loadBundle(compiled, tf);
    const outcomes: Outcome[] = [];
    // Optimizer rule examples (no objective): every rule's update compiles, for a vector and a matrix.
    for (const [name, value] of Object.entries(exports)) {
      if (!looksLikeRule(value)) continue;
      for (const shape of [[5], [3, 4]]) {
        const before = tf.memory().numTensors;
        const optimizer = ruleFactory(name, validateRule(name, value)).create({}, [{ name: '', shape }]);
        const leaked = tf.memory().numTensors - before;
        outcomes.push({ objective: `${file}#${name}[${shape}]`, compiled: optimizer.arrays !== undefined, leaked, ...(optimizer.arraysUnavailable ? { reason: optimizer.arraysUnavailable } : {}) });
      }
    }
    for (const entry of discoverObjectives(exports, fs.readFileSync(compiled.file, 'utf8'))) {
      const prepared = prepareObjective(entry, compiled.file, 0, tf);
      try {
        let batch: Batch | undefined;
        const f = flatObjective(entry.fn, prepared.layout, { name: entry.name, file: compiled.file, sources: compiled.sources }, () => batch, tf);
        const x0 = Float32Array.from(prepared.x0.dataSync());
        const before = tf.memory().numTensors;
        const { plan, reason } = planArrayPath({
          optimizer: createOptimizer('sgd', {}), f, setBatch: (b) => (batch = b), dataset: prepared.dataset, x0, steps: 20,
          project: prepared.project, disabled: false,
        }, tf);
        const leaked = tf.memory().numTensors - before;
        outcomes.push({ objective: `${file}#${entry.name}`, compiled: plan !== undefined, leaked, ...(reason ? { reason } : {}) });
      } finally {
        prepared.dispose();
      }
    }
    return outcomes;
  } finally {
    tf.engine().endScope();
  }
}

describe('compiled programs: every example objective and optimizer rule compiles, or is refused for a listed reason', function () {
  // Only a hang should fail here: compiling tinyTransformer costs seconds of CPU, and a machine busy with
  // other work (a load of 20 on 2 cores) stretched that past 120 s of wall time in a fresh-clone run.
  this.timeout(900_000);
  useCpuBackend();
  const files = fs.readdirSync(EXAMPLES).filter((f) => f.endsWith('.ts')).sort();

  for (const file of files) {
    it(file, async () => {
      const outcomes = await compileExample(file);
      assert.ok(outcomes.length > 0, 'no objective or optimizer rule found');
      for (const o of outcomes) {
        assert.equal(o.leaked, 0, `${o.objective}: tensors leaked`);
        if (o.compiled) continue;
        // A rule is listed once for both its shapes ('file#rule', without '[5]').
        const expected = REFUSED[o.objective] ?? REFUSED[o.objective.replace(/\[[\d,]+\]$/, '')];
        assert.ok(expected, `${o.objective} was refused: ${o.reason}`);
        assert.match(o.reason ?? '', expected);
      }
    });
  }
});
