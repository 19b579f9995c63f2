/** Runs that use a workspace optimizer rule: requests, live re-runs on rule edits, errors in the rule's file. */
import { strict as assert } from 'node:assert';
import type * as Problems from '../../../src/host/runProblems';
import { liveFallback, liveTrigger } from '../../../src/host/liveTriggers';
import { RunController } from '../../../src/host/runController';
import { DEFAULT_SETTINGS, runRequestFor } from '../../../src/host/runSettings';
import { runRequestSchema, type RunError } from '../../../src/protocol/runner';
import { hostToWebviewSchema, type HostToWebviewInput } from '../../../src/protocol/webview';
import { installFakeVscode } from './fake/installFakeVscode';
import { FakeRunner, done, meta, step, tick } from './fakeRunner';
import { LION_RULE } from './ruleFixtures';
import { sitesOf } from './inProcessSites';

const vscode = installFakeVscode();
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { RunProblems } = require('../../../src/host/runProblems') as typeof Problems;

const RULE_FILE = '/w/rules/lion.ts';
const OBJECTIVE_FILE = '/w/bowl.ts';
const lion = { optimizer: 'lion', rule: { file: RULE_FILE, text: LION_RULE } };

function setup() {
  const runner = new FakeRunner();
  const controller = new RunController(runner, () => ({ ...DEFAULT_SETTINGS, learningRate: 0.05 }), (file) => file.replace(/^\/w\//, ''));
  const posted: HostToWebviewInput[] = [];
  const problems: [string, readonly RunError[]][] = [];
  controller.listen({ post: (m) => posted.push(hostToWebviewSchema.parse(m)), problems: (f, e) => problems.push([f, e]) });
  return { runner, controller, posted, problems };
}

const ruleError = (over: Partial<RunError> = {}): RunError => ({
  kind: 'optimizer-rule', message: "lion.update returned a number for 'param' at step 1", file: RULE_FILE, line: 9, column: 5, ...over,
});

describe('runs with a workspace optimizer rule', () => {
  it('asks the runner for the rule by name and file, with its unsaved text and its own default lr', () => {
    const request = runRequestFor({ ...DEFAULT_SETTINGS, defaultOptimizer: 'lion', learningRate: 0.3 }, { file: OBJECTIVE_FILE, objective: 'bowl' }, lion, 'r1');
    const parsed = runRequestSchema.parse({ type: 'run', ...request });
    assert.deepEqual(parsed.optimizer, { id: 'lion', rule: { file: RULE_FILE, text: LION_RULE }, hp: {} }, 'the lr setting belongs to the built-in default, not to a rule of that name');
    assert.equal(parsed.file, OBJECTIVE_FILE);
    const withLr = runRequestFor(DEFAULT_SETTINGS, { file: OBJECTIVE_FILE }, { ...lion, lr: 0.01 }, 'r2');
    assert.equal(withLr.optimizer.lr, 0.01);
  });

  it('a rule error after the start goes to the rule file\'s line in Problems and to the banner; the lens remembers the run', async () => {
    const { runner, controller, problems } = setup();
    controller.start({ file: OBJECTIVE_FILE, objective: 'bowl' }, [lion, { optimizer: 'adam' }], 'replace');
    assert.deepEqual(runner.runs.map((r) => r.request.optimizer.rule?.file), [RULE_FILE, undefined]);
    runner.runs[0].handlers.onStarted?.({ ...meta('bowl'), optimizer: { id: 'lion', lr: 1e-4, hp: {}, file: RULE_FILE } });
    assert.deepEqual(problems.map(([f, e]) => [f, e.length]), [[OBJECTIVE_FILE, 0], [RULE_FILE, 0]], 'both files compiled: their old problems go');
    runner.runs[0].finish({ kind: 'error', error: ruleError() });
    await tick();
    assert.deepEqual(problems[problems.length - 1], [RULE_FILE, [ruleError()]]);
    assert.equal(controller.state.banner?.file, 'rules/lion.ts');
    assert.equal(controller.state.banner?.line, 9);
    assert.match(controller.lastRuleRun(RULE_FILE, 'lion')?.error?.message ?? '', /returned a number/);
    assert.equal(controller.lastRuleRun(RULE_FILE, 'adam'), undefined, 'the built-in beside it is no rule');
  });

  it('a rule error without a file of its own still lands in the rule\'s file', async () => {
    const { runner, controller, problems } = setup();
    controller.start({ file: OBJECTIVE_FILE, objective: 'bowl' }, [lion], 'replace');
    runner.runs[0].handlers.onStarted?.(meta('bowl'));
    runner.runs[0].finish({ kind: 'error', error: ruleError({ file: undefined }) });
    await tick();
    assert.equal(problems[problems.length - 1][0], RULE_FILE);
    assert.equal(controller.state.banner?.file, 'rules/lion.ts');
  });

  it('live: an edit of the rule file re-runs the runs that use it on its new text; a broken rule keeps the plots', async () => {
    const { runner, controller, posted, problems } = setup();
    controller.start({ file: OBJECTIVE_FILE, objective: 'bowl', text: 'objective v1' }, [lion, { optimizer: 'adam' }], 'replace');
    for (const r of runner.runs) {
      r.handlers.onStarted?.(meta('bowl'));
      r.handlers.onSteps?.([step(0), step(1)]);
      r.finish(done(r.request.runId as string, 0.1));
    }
    await tick();
    controller.rerun({ file: RULE_FILE, text: 'broken rule' }, {});
    const reruns = runner.runs.slice(2);
    assert.equal(reruns.length, 1, 'only the run that uses the rule');
    assert.deepEqual(reruns[0].request.optimizer.rule, { file: RULE_FILE, text: 'broken rule' });
    assert.equal(reruns[0].request.text, 'objective v1', 'the objective keeps its own text');
    reruns[0].finish({ kind: 'error', error: ruleError({ kind: 'optimizer-rule', message: 'Expected "}"', line: 4 }) });
    await tick();
    assert.equal(controller.state.version, 0, 'no new version');
    assert.equal(controller.state.allRuns().length, 2, 'the last good plots stay');
    assert.equal(problems[problems.length - 1][0], RULE_FILE);
    assert.ok(posted.some((m) => m.type === 'banner' && m.banner?.line === 4));
    controller.rerun({ file: RULE_FILE, text: LION_RULE }, {});
    const fixed = runner.runs[3];
    fixed.handlers.onStarted?.(meta('bowl'));
    await tick();
    assert.equal(controller.state.version, 1);
    assert.ok(problems.some(([f, e]) => f === RULE_FILE && e.length === 0), 'the rule file\'s problem clears');
  });

  it('live triggers: a live file, or the rule file of a run whose objective file is live', () => {
    const origins = [
      { target: { file: OBJECTIVE_FILE }, choice: lion },
      { target: { file: '/w/other.ts' }, choice: { optimizer: 'other', rule: { file: '/w/other-rule.ts' } } },
    ];
    assert.equal(liveTrigger(OBJECTIVE_FILE, new Set([OBJECTIVE_FILE]), origins), true);
    assert.equal(liveTrigger(RULE_FILE, new Set([OBJECTIVE_FILE]), origins), true);
    assert.equal(liveTrigger(RULE_FILE, new Set(['/w/other.ts']), origins), false, 'live is on for another objective only');
    assert.equal(liveTrigger('/w/other-rule.ts', new Set([OBJECTIVE_FILE]), origins), false);
    assert.equal(liveTrigger(RULE_FILE, new Set(), origins), false, 'live mode off');
  });

  it('a live rule file with no runs yet tries its first rule on the objective Try would use', async () => {
    const on = () => ({ file: OBJECTIVE_FILE, objective: 'bowl', text: 'unsaved objective' });
    assert.deepEqual(liveFallback(RULE_FILE, LION_RULE, await sitesOf(LION_RULE), on), {
      edit: { file: RULE_FILE, text: LION_RULE }, choice: lion, target: { file: OBJECTIVE_FILE, objective: 'bowl', text: 'unsaved objective' },
    });
    const objective = 'export function f(p) { return p.sum(); }\nf.init = [1];\n';
    assert.deepEqual(liveFallback(OBJECTIVE_FILE, objective, await sitesOf(objective), on), { edit: { file: OBJECTIVE_FILE, text: objective, objective: 'f' }, choice: {} });
    assert.deepEqual(liveFallback(RULE_FILE, LION_RULE, await sitesOf(LION_RULE), () => undefined), { edit: { file: RULE_FILE, text: LION_RULE }, choice: {} }, 'no objective: the runner says what is wrong');
  });

  it('sends the workspace rules to the dashboard once per change, and in every snapshot', () => {
    const { controller, posted } = setup();
    const rules = [{ name: 'lion', file: RULE_FILE, label: 'rules/lion.ts', defaultLr: 1e-4 }];
    controller.setRules(rules);
    controller.setRules(rules);
    assert.deepEqual(posted.filter((m) => m.type === 'rules'), [{ type: 'rules', rules }]);
    const snap = hostToWebviewSchema.parse(controller.snapshot());
    assert.deepEqual(snap.type === 'snapshot' && snap.rules, rules);
  });

  it('Problems: an optimizer-rule error is shown in the rule file, on the rule\'s line', async () => {
    const problems = new RunProblems();
    const doc = new vscode.FakeDocument(vscode.Uri.file(RULE_FILE), LION_RULE);
    vscode.workspace.textDocuments = [doc];
    try {
      await problems.show(RULE_FILE, [ruleError({ line: 9, column: 5 })]);
      const [d] = problems.get(vscode.Uri.file(RULE_FILE) as never);
      assert.equal(d.code, 'optimizer-rule');
      assert.equal(d.source, 'Optimizer Lab');
      assert.deepEqual([d.range.start.line, d.range.start.character], [8, 4]);
      assert.equal(LION_RULE.split('\n')[8].slice(d.range.start.character, d.range.end.character), 'const');
      assert.equal(problems.get(vscode.Uri.file(OBJECTIVE_FILE) as never).length, 0, 'nothing in the objective file');
    } finally {
      vscode.workspace.textDocuments = [];
      problems.dispose();
    }
  });
});
