import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { listObjectives } from '../../../src/runner/listObjectives';
import { fixture, runInProcess } from './runInProcess';

/** Runs with a schedule function from a workspace file (scheduleFile): the lrs it gives, and its failures at its own file:line. */
const SCHEDULES = path.resolve(__dirname, '../../fixtures/schedules');
const FILE = path.join(SCHEDULES, 'schedules.ts');
const source = fs.readFileSync(FILE, 'utf8').split('\n');
/** 1-based line of the first line of schedules.ts containing `text`. */
const lineOf = (text: string) => source.findIndex((l) => l.includes(text)) + 1;
const OBJECTIVE = fixture('single.ts');

describe('runner: schedule functions from a workspace file', function () {
  this.timeout(60_000);

  it('(step) => factor: the preview and every step use base lr × factor; meta names FILE#NAME', async () => {
    const r = await runInProcess({ file: OBJECTIVE, optimizer: { id: 'sgd', lr: 0.02 }, scheduleFile: { file: FILE, name: 'halving' }, steps: 6 });
    assert.equal(r.error, undefined, r.error?.message);
    assert.equal(r.meta?.schedule, `${FILE}#halving`);
    const expected = [0.02, 0.02, 0.01, 0.01, 0.005, 0.005];
    assert.deepEqual(r.meta?.schedulePreview, expected);
    assert.deepEqual(r.steps.map((s) => s.lr), expected);
    assert.equal(r.done?.status, 'completed');
    assert.equal(r.leaked, 0);
  });

  it('(step, lr) => lr: from the previous lr, step 0 at the base lr', async () => {
    const r = await runInProcess({ file: OBJECTIVE, optimizer: { id: 'sgd', lr: 0.1 }, scheduleFile: { file: FILE, name: 'decay' }, steps: 4 });
    assert.equal(r.error, undefined, r.error?.message);
    [0.1, 0.09, 0.081, 0.0729].forEach((e, k) => assert.ok(Math.abs((r.steps[k]?.lr ?? NaN) - e) < 1e-12, `step ${k}: ${r.steps[k]?.lr}`));
  });

  it("in the objective's own file ('' = its only schedule), and defined for the run's steps only: the final curvature sample still gets an lr", async () => {
    const file = path.join(SCHEDULES, 'withObjective.ts');
    const r = await runInProcess({ file, optimizer: { id: 'sgd', lr: 1 }, scheduleFile: { file }, steps: 6, curvatureEvery: 3 });
    assert.equal(r.error, undefined, r.error?.message);
    assert.equal(r.meta?.schedule, `${file}#table`);
    assert.deepEqual(r.meta?.schedulePreview, [0.1, 0.1, 0.05, 0.05, 0.01, 0.01]);
    assert.equal(r.done?.status, 'completed');
    // The sample after the last step (step 6, where the table ends) uses the last step's lr.
    const last = r.curvature[r.curvature.length - 1];
    assert.equal(last.step, 6);
    assert.ok(last.edgeRatio !== null && last.edgeRatio !== undefined && Math.abs(last.edgeRatio - (0.01 * last.lambdaMax) / 2) < 1e-9);
  });

  const fails = (name: string, steps: number) => runInProcess({ file: OBJECTIVE, scheduleFile: { file: FILE, name }, steps, landscape: false });

  it('a throw: kind schedule, at the throw (source-mapped), naming the step; nothing started', async () => {
    const r = await fails('throwsAtFive', 10);
    assert.equal(r.error?.kind, 'schedule');
    assert.equal(r.error?.message, "schedule 'throwsAtFive' threw at step 5: schedule exploded on purpose");
    assert.equal(r.error?.file, FILE);
    const line = lineOf("throw new Error('schedule exploded");
    assert.equal(r.error?.line, line);
    assert.equal(r.error?.column, source[line - 1].indexOf('new Error') + 1);
    assert.equal(r.meta, undefined);
    assert.deepEqual(r.steps, []);
    assert.equal(r.leaked, 0);
  });

  it('a negative, non-finite or non-number lr: at the declaration, naming the step', async () => {
    const negative = await fails('negativeAtThree', 10);
    assert.equal(negative.error?.kind, 'schedule');
    assert.equal(negative.error?.message, "schedule 'negativeAtThree' gave lr -0.1 at step 3; the lr must be a finite number >= 0");
    assert.equal(negative.error?.file, FILE);
    assert.equal(negative.error?.line, lineOf('export function negativeAtThree'));
    const nan = await fails('nanAtTwo', 10);
    assert.match(nan.error?.message ?? '', /^schedule 'nanAtTwo' gave factor NaN × base lr 0\.1 = lr NaN at step 2;/);
    assert.equal(nan.error?.line, lineOf('export function nanAtTwo'));
    const text = await fails('returnsText', 10);
    assert.match(text.error?.message ?? '', /^schedule 'returnsText' returned the string "fast" at step 1; it must return a number/);
  });

  it('a throw after the last step, asked only by the final curvature sample, is forgiven: that sample uses the last step\'s lr', async () => {
    const r = await runInProcess({ file: OBJECTIVE, scheduleFile: { file: FILE, name: 'throwsAtFive' }, steps: 5, curvatureEvery: 5, landscape: false });
    assert.equal(r.error, undefined, r.error?.message);
    assert.equal(r.done?.status, 'completed');
    assert.deepEqual(r.curvature.map((c) => c.step), [0, 5]);
  });

  it('picking: an unknown name lists the schedules; exports that are no schedule say why; a file of several needs #NAME', async () => {
    const unknown = await fails('nope', 3);
    assert.equal(unknown.error?.kind, 'schedule');
    assert.match(unknown.error?.message ?? '', /^no schedule function named 'nope' in .*schedules\.ts; schedule functions: halving, decay, throwsAtFive, negativeAtThree, nanAtTwo, returnsText$/);
    assert.match((await fails('threeParams', 3)).error?.message ?? '', /is not a schedule function: it declares 3 parameters; a schedule is \(step\) => factor or \(step, lr\) => lr/);
    assert.match((await fails('later', 3)).error?.message ?? '', /it is an async or generator function/);
    assert.match((await fails('notAFunction', 3)).error?.message ?? '', /it is not a function/);
    assert.match((await fails('', 3)).error?.message ?? '', /exports 6 schedule functions \(halving, .*\); choose one with .*schedules\.ts#NAME/);
    // Not listed (it throws when tried at step 0), but run by name it says where and at which step.
    const zero = await fails('throwsAtZero', 3);
    assert.equal(zero.error?.message, "schedule 'throwsAtZero' threw at step 0: no step 0");
    assert.equal(zero.error?.line, lineOf("throw new Error('no step 0')"));
    assert.match((await fails('tensorHelper', 3)).error?.message ?? '', /^schedule 'tensorHelper' threw at step 0: x\.mul is not a function$/);
    const objective = await runInProcess({ file: OBJECTIVE, scheduleFile: { file: OBJECTIVE, name: 'bowl' }, steps: 3 });
    assert.match(objective.error?.message ?? '', /it is an objective \(it has an `init` property\)/);
  });

  it('a syntax error or a throw while loading is the schedule file\'s, kind schedule', async () => {
    const file = path.join(SCHEDULES, 'unsaved.ts');
    const r = await runInProcess({ file: OBJECTIVE, scheduleFile: { file, text: 'export const f = (step: number) =>\n  1 +* step;\n' }, steps: 3 });
    assert.equal(r.error?.kind, 'schedule');
    assert.equal(r.error?.file, file);
    assert.equal(r.error?.line, 2);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'optlab-schedule-'));
    const throwing = path.join(dir, 'throws.ts');
    fs.writeFileSync(throwing, "export const f = (step: number) => step;\nthrow new Error('module exploded');\n");
    try {
      const t = await runInProcess({ file: OBJECTIVE, scheduleFile: { file: throwing }, steps: 3 });
      assert.equal(t.error?.kind, 'schedule');
      assert.match(t.error?.message ?? '', /schedule file threw while loading: module exploded/);
      assert.equal(t.error?.file, throwing);
      assert.equal(t.error?.line, 2);
      assert.equal(t.leaked, 0);
    } finally {
      fs.rmSync(dir, { recursive: true });
    }
  });

  it('a spec and a schedule file together are refused', async () => {
    const r = await runInProcess({ file: OBJECTIVE, schedule: 'cosine', scheduleFile: { file: FILE, name: 'decay' }, steps: 3 });
    assert.equal(r.error?.kind, 'schedule');
    assert.match(r.error?.message ?? '', /a schedule spec or a schedule file \(scheduleFile\), not both/);
  });

  it("list: a file's schedule functions with their form and line, beside its objectives", async () => {
    const listing = await listObjectives(FILE, undefined, tf);
    assert.equal(listing.error, undefined);
    assert.deepEqual(listing.schedules, [
      { name: 'halving', form: 'factor', line: lineOf('export function halving') },
      { name: 'decay', form: 'lr', line: lineOf('export const decay') },
      { name: 'throwsAtFive', form: 'factor', line: lineOf('export function throwsAtFive') },
      { name: 'negativeAtThree', form: 'lr', line: lineOf('export function negativeAtThree') },
      { name: 'nanAtTwo', form: 'factor', line: lineOf('export function nanAtTwo') },
      { name: 'returnsText', form: 'factor', line: lineOf('export function returnsText') },
    ]);
    const both = await listObjectives(path.join(SCHEDULES, 'withObjective.ts'), undefined, tf);
    assert.deepEqual(both.objectives.map((o) => o.name), ['bowl']);
    assert.deepEqual(both.schedules.map((s) => s.name), ['table']);
    const none = await listObjectives(OBJECTIVE, undefined, tf);
    assert.deepEqual(none.schedules, []);
    // A helper that takes a tensor answers no number when tried: an objective file's helpers are not schedules.
    assert.deepEqual((await listObjectives(fixture('none.ts'), undefined, tf)).schedules, []);
  });
});
