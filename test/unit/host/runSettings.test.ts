import { strict as assert } from 'node:assert';
import { runRequestSchema } from '../../../src/protocol/runner';
import { OPTIMIZERS } from '../../../src/core/optimizers/registry';
import { DEFAULT_SETTINGS, controlDefaults, defaultOptimizerProblem, defaultRuleProblem, readRunSettings, runRequestFor, scheduleFileOf, type RunSettings } from '../../../src/host/runSettings';

const getter = (values: Record<string, unknown>) => (key: string): unknown => values[key];

const BUILT_INS = OPTIMIZERS.map((o) => o.id);

describe('runSettings', () => {
  it('reads valid settings and falls back on invalid ones', () => {
    const s = readRunSettings(getter({ defaultOptimizer: 'sgd', learningRate: 0.05, steps: 100, schedule: ' cosine:T_max=100 ', backend: 'wasm', curvatureEvery: 10, liveDebounceMs: 150, timeLimitSeconds: 5, compileObjectives: true }));
    assert.deepEqual(s, { defaultOptimizer: 'sgd', learningRate: 0.05, steps: 100, schedule: 'cosine:T_max=100', backend: 'wasm', curvatureEvery: 10, liveDebounceMs: 150, timeLimitSeconds: 5, compileObjectives: true });
    const bad = readRunSettings(getter({ defaultOptimizer: 'nope', learningRate: -1, steps: 2.5, backend: 'gpu', curvatureEvery: -3, liveDebounceMs: 'x', timeLimitSeconds: 0, compileObjectives: 'yes' }), BUILT_INS);
    assert.deepEqual(bad, DEFAULT_SETTINGS);
  });

  it('checks the default optimizer against the catalogue, not a list in package.json', () => {
    // Any registered id is accepted (the paper optimizers too), an unknown one is named with the valid ones.
    for (const id of BUILT_INS) assert.equal(readRunSettings(getter({ defaultOptimizer: id }), BUILT_INS).defaultOptimizer, id);
    assert.equal(readRunSettings(getter({ defaultOptimizer: ' sgd ' }), BUILT_INS).defaultOptimizer, 'sgd');
    assert.match(defaultOptimizerProblem('adamm', BUILT_INS) ?? '', /'adamm' is not a built-in optimizer \(sgd, .*adam, .*\); using 'adam'/);
    assert.equal(defaultOptimizerProblem('lbfgs', BUILT_INS), undefined);
    // Before the catalogue is read nothing can be checked: the runner names an unknown id when it runs.
    assert.equal(defaultOptimizerProblem('adamm', []), undefined);
    assert.equal(readRunSettings(getter({ defaultOptimizer: 'adamm' })).defaultOptimizer, 'adamm');
    assert.equal(readRunSettings(getter({ defaultOptimizer: '  ' }), BUILT_INS).defaultOptimizer, 'adam');
  });

  it('takes a workspace rule as the default optimizer (FILE#NAME, relative to the workspace folder)', () => {
    const resolve = (file: string) => (file.startsWith('/') ? file : `/w/${file}`);
    const s = readRunSettings(getter({ defaultOptimizer: 'rules/lion.ts#lion', learningRate: 3e-4 }), BUILT_INS, resolve);
    assert.deepEqual([s.defaultOptimizer, s.defaultRule], ['lion', { file: '/w/rules/lion.ts', name: 'lion' }]);
    // Nothing chosen: the rule, with the setting's lr; the dashboard's menu starts on it.
    assert.deepEqual(runRequestFor(s, { file: '/w/f.ts' }, {}, 'r1').optimizer, { id: 'lion', rule: { file: '/w/rules/lion.ts' }, lr: 3e-4, hp: {} });
    assert.equal(controlDefaults(s).optimizer, 'rule:/w/rules/lion.ts#lion');
    // A built-in chosen by name is the built-in, without the rule and without the rule's lr.
    assert.deepEqual(runRequestFor(s, { file: '/w/f.ts' }, { optimizer: 'lion' }, 'r2').optimizer, { id: 'lion', hp: {} });
    assert.equal(readRunSettings(getter({ defaultOptimizer: '/abs/r.ts#myAdam' }), BUILT_INS, resolve).defaultRule?.file, '/abs/r.ts');
    // A rule reference without a name is not guessed at.
    assert.match(defaultOptimizerProblem('rules/lion.ts#', BUILT_INS) ?? '', /names no rule \(FILE#NAME/);
    assert.deepEqual(readRunSettings(getter({ defaultOptimizer: 'rules/lion.ts#' }), BUILT_INS, resolve), DEFAULT_SETTINGS);
  });

  it('takes the rule setting (optimizerLab.defaultOptimizerRule) over the built-in, and the built-in when it is empty or not FILE#NAME', () => {
    const resolve = (file: string) => (file.startsWith('/') ? file : `/w/${file}`);
    const read = (values: Record<string, unknown>) => readRunSettings(getter(values), BUILT_INS, resolve);
    const s = read({ defaultOptimizer: 'sgd', defaultOptimizerRule: ' rules/lion.ts#lion ' });
    assert.deepEqual([s.defaultOptimizer, s.defaultRule], ['lion', { file: '/w/rules/lion.ts', name: 'lion' }]);
    for (const rule of ['', '  ', 'rules/lion.ts', 'rules/lion.ts#', 'rules/lion.ts#1x', 42]) {
      const fallback = read({ defaultOptimizer: 'sgd', defaultOptimizerRule: rule });
      assert.deepEqual([fallback.defaultOptimizer, fallback.defaultRule], ['sgd', undefined], JSON.stringify(rule));
    }
    assert.equal(defaultRuleProblem(''), undefined);
    assert.equal(defaultRuleProblem('r.ts#lion'), undefined);
    assert.match(defaultRuleProblem('r.ts') ?? '', /defaultOptimizerRule: 'r\.ts' is not FILE#NAME .*using optimizerLab\.defaultOptimizer/);
  });

  it("samples curvature on the 'auto' time budget by default and passes it to the runner", () => {
    assert.equal(DEFAULT_SETTINGS.curvatureEvery, 'auto');
    assert.equal(readRunSettings(getter({ curvatureEvery: 'auto' })).curvatureEvery, 'auto');
    assert.equal(readRunSettings(getter({ curvatureEvery: 'often' })).curvatureEvery, 'auto');
    const req = runRequestFor(DEFAULT_SETTINGS, { file: '/w/f.ts' }, {}, 'r0');
    assert.equal(runRequestSchema.parse({ ...req, type: 'run' }).curvatureEvery, 'auto');
  });

  it('builds a valid run request: choice over settings, the lr setting only for the default optimizer', () => {
    const settings: RunSettings = { ...DEFAULT_SETTINGS, defaultOptimizer: 'adam', learningRate: 0.02, schedule: 'step:step_size=10', backend: 'cpu', timeLimitSeconds: 7 };
    const req = runRequestFor(settings, { file: '/w/f.ts', text: 'src', objective: 'f' }, {}, 'r1');
    const parsed = runRequestSchema.parse({ ...req, type: 'run' });
    assert.deepEqual(parsed.optimizer, { id: 'adam', lr: 0.02, hp: {} });
    assert.equal(parsed.schedule, 'step:step_size=10');
    assert.equal(parsed.backend, 'cpu');
    assert.equal(parsed.timeLimitMs, 7000);
    assert.equal(parsed.text, 'src');
    assert.equal(parsed.objective, 'f');
    const other = runRequestFor(settings, { file: '/w/f.ts' }, { optimizer: 'sgd', hp: { momentum: 0.9 }, steps: 20, schedule: '' }, 'r2');
    assert.deepEqual(other.optimizer, { id: 'sgd', hp: { momentum: 0.9 } });
    assert.equal(other.steps, 20);
    assert.equal('schedule' in other, false);
    assert.equal('text' in other, false);
  });

  it('asks the runner to compile objectives unless the setting is off (on by default)', () => {
    assert.equal(DEFAULT_SETTINGS.compileObjectives, true);
    assert.equal(readRunSettings(getter({})).compileObjectives, true);
    assert.equal(readRunSettings(getter({ compileObjectives: false })).compileObjectives, false);
    const on = runRequestFor(DEFAULT_SETTINGS, { file: '/w/f.ts' }, {}, 'r0');
    assert.equal(runRequestSchema.parse({ ...on, type: 'run' }).compile, true);
    const off = runRequestFor({ ...DEFAULT_SETTINGS, compileObjectives: false }, { file: '/w/f.ts' }, {}, 'r1');
    assert.equal(runRequestSchema.parse({ ...off, type: 'run' }).compile, false);
  });

  it('leaves the backend to the runner on auto, and the landscape to the runner unless the choice asks', () => {
    const req = runRequestFor(DEFAULT_SETTINGS, { file: '/f.ts' }, {}, 'r');
    assert.equal('backend' in req, false);
    assert.equal('landscape' in req, false);
    assert.equal(runRequestFor(DEFAULT_SETTINGS, { file: '/f.ts' }, { landscape: true }, 'r').landscape, true);
    assert.equal(req.steps, 500);
  });

  it('passes the memory limit setting to the runner in bytes; empty or invalid leaves the runner\'s default', () => {
    const target = { file: '/w/a.ts' };
    const of = (memoryLimit: unknown) => readRunSettings(getter({ memoryLimit })).memoryLimitBytes;
    assert.equal(of('2GB'), 2 * 1024 ** 3);
    assert.equal(of('512 MB'), 512 * 1024 ** 2);
    for (const none of ['', '  ', 'lots', '2TB', 3, undefined]) assert.equal(of(none), undefined, String(none));
    const limited = runRequestFor(readRunSettings(getter({ memoryLimit: '1.5GB' })), target, {}, 'r1');
    assert.equal(runRequestSchema.parse({ ...limited, type: 'run' }).memoryLimitBytes, 1.5 * 1024 ** 3);
    assert.equal('memoryLimitBytes' in runRequestFor(DEFAULT_SETTINGS, target, {}, 'r2'), false);
  });

  it('passes a chosen seed to the runner (repeat with N seeds), else leaves the runner\'s default', () => {
    assert.equal('seed' in runRequestFor(DEFAULT_SETTINGS, { file: '/f.ts' }, {}, 'r'), false);
    const req = runRequestFor(DEFAULT_SETTINGS, { file: '/f.ts' }, { seed: 3, group: 'g' }, 'r');
    assert.equal(runRequestSchema.parse({ ...req, type: 'run' }).seed, 3);
  });

  it('turns a schedule FILE#NAME into scheduleFile (relative to the workspace folder or absolute, unsaved text sent); a spec stays a spec', () => {
    const resolve = (f: string): string => (f.startsWith('/') ? f : `/ws/${f}`);
    const unsaved: Record<string, string> = { '/ws/sched/warm.ts': 'export const warm = (step: number) => 1;' };
    const textOf = (f: string): string | undefined => unsaved[f];
    assert.deepEqual(scheduleFileOf('sched/warm.ts#warm', resolve, textOf), { file: '/ws/sched/warm.ts', name: 'warm', text: unsaved['/ws/sched/warm.ts'] });
    assert.deepEqual(scheduleFileOf(' /abs/decay.ts # decay ', resolve, textOf), { file: '/abs/decay.ts', name: 'decay' });
    // No name: the file's only schedule function (the runner picks it or lists the choices).
    assert.deepEqual(scheduleFileOf('one.ts#', resolve), { file: '/ws/one.ts', name: '' });
    assert.equal(scheduleFileOf('cosine:T_max=100', resolve, textOf), undefined);
    assert.equal(scheduleFileOf('', resolve, textOf), undefined);
    // No file before '#': a spec, which the runner refuses by name (not a directory taken for a file).
    assert.equal(scheduleFileOf('#warm', resolve, textOf), undefined);

    const choice = { schedule: 'sched/warm.ts#warm', scheduleFile: scheduleFileOf('sched/warm.ts#warm', resolve, textOf) };
    const req = runRequestSchema.parse({ ...runRequestFor(DEFAULT_SETTINGS, { file: '/f.ts' }, choice, 'r'), type: 'run' });
    assert.deepEqual(req.scheduleFile, { file: '/ws/sched/warm.ts', name: 'warm', text: unsaved['/ws/sched/warm.ts'] });
    assert.equal(req.schedule, undefined);
    const spec = runRequestSchema.parse({ ...runRequestFor(DEFAULT_SETTINGS, { file: '/f.ts' }, { schedule: 'cosine:T_max=100' }, 'r'), type: 'run' });
    assert.equal(spec.schedule, 'cosine:T_max=100');
    assert.equal(spec.scheduleFile, undefined);
  });

  it('takes a schedule function as the schedule setting (FILE#NAME, the file resolved once)', () => {
    const settings = readRunSettings(getter({ schedule: ' sched/warm.ts#warm ' }), [], (f) => `/ws/${f}`);
    assert.equal(settings.schedule, '/ws/sched/warm.ts#warm');
    assert.equal(readRunSettings(getter({ schedule: 'step:step_size=10' }), [], (f) => `/ws/${f}`).schedule, 'step:step_size=10');
    const req = runRequestFor(settings, { file: '/f.ts' }, {}, 'r');
    assert.deepEqual(req.scheduleFile, { file: '/ws/sched/warm.ts', name: 'warm' });
    assert.equal('schedule' in req, false);
  });

  it('optimizerLab.replayOptimizerState asks the runner for the optimizer\'s state on the path (pathState); off by default', () => {
    assert.equal(runRequestFor(readRunSettings(getter({})), { file: '/f.ts' }, {}, 'r').pathState, undefined);
    assert.equal(runRequestFor(readRunSettings(getter({ replayOptimizerState: true })), { file: '/f.ts' }, {}, 'r').pathState, true);
    assert.equal(readRunSettings(getter({ replayOptimizerState: 'yes' })).replayOptimizerState, undefined);
  });
});
