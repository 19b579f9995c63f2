import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fixture, runInProcess } from './runInProcess';

/** A broken optimizer rule is reported at the rule file's line, kind 'optimizer-rule', and loses no earlier step. */
const RULES = path.resolve(__dirname, '../../fixtures/rules');
const BAD = path.join(RULES, 'badRules.ts');
const badSource = fs.readFileSync(BAD, 'utf8').split('\n');
/** 1-based line of the first line of badRules.ts containing `text`. */
const lineOf = (text: string) => badSource.findIndex((l) => l.includes(text)) + 1;
const OBJECTIVE = fixture('single.ts');

describe('runner: a broken optimizer rule says where, in the rule file', function () {
  this.timeout(60_000);

  it('a syntax error in the rule file: its file, line and column (not the objective\'s), nothing started', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'optlab-rule-'));
    const file = path.join(dir, 'broken.ts');
    fs.writeFileSync(file, ['export const r = {', '  defaults: { lr: 0.1 },', '  init: () => ({}),', '  update: (g, s, p) => ({ param: p.sub(g) state: s }),', '};', ''].join('\n'));
    try {
      const r = await runInProcess({ file: OBJECTIVE, optimizer: { id: 'r', rule: { file } } });
      assert.equal(r.error?.kind, 'optimizer-rule');
      assert.equal(r.error?.file, file);
      assert.equal(r.error?.line, 4);
      assert.equal(r.error?.column, '  update: (g, s, p) => ({ param: p.sub(g) '.length + 1);
      assert.match(r.error?.message ?? '', /Expected "}" but found "state"/);
      assert.equal(r.meta, undefined);
      assert.equal(r.leaked, 0);
    } finally {
      fs.rmSync(dir, { recursive: true });
    }
  });

  it('unsaved rule text with a syntax error points at the file it stands for', async () => {
    const file = path.join(RULES, 'unsaved.ts');
    const r = await runInProcess({ file: OBJECTIVE, optimizer: { id: '', rule: { file, text: 'export const r = {\n  defaults: { lr: 0.1 } +* 2,\n};\n' } } });
    assert.equal(r.error?.kind, 'optimizer-rule');
    assert.equal(r.error?.file, file);
    assert.equal(r.error?.line, 2);
  });

  it('defaults without lr: the message says so, at the declaration line', async () => {
    const r = await runInProcess({ file: OBJECTIVE, optimizer: { id: 'noLr', rule: { file: BAD } } });
    assert.equal(r.error?.kind, 'optimizer-rule');
    assert.match(r.error?.message ?? '', /optimizer rule 'noLr': defaults\.lr must be a number >= 0, got undefined/);
    assert.equal(r.error?.file, BAD);
    assert.equal(r.error?.line, lineOf('export const noLr'));
    assert.equal(r.meta, undefined);
    assert.equal(r.leaked, 0);
  });

  for (const compile of [false, true]) it(`update throwing at the run's step 3 (${compile ? 'compiled: the rule\'s JS still runs every step' : 'on tensors'}): steps 0..2 were streamed first; the error is at the throw, source-mapped`, async () => {
    const r = await runInProcess({ file: OBJECTIVE, optimizer: { id: 'throwsAtStep4', rule: { file: BAD } }, steps: 10, landscape: false, compile });
    assert.equal(r.meta?.compute?.path, compile ? 'compiled' : 'tensors');
    assert.equal(r.error?.kind, 'optimizer-rule');
    assert.deepEqual(r.steps.map((s) => s.step), [0, 1, 2]);
    assert.ok(r.steps.every((s) => Number.isFinite(s.loss)));
    assert.equal(r.meta?.optimizer.file, BAD);
    assert.equal(r.done, undefined);
    // The run's step 3 (records count from 0) is the rule's ctx.step 4 (updates count from 1): the message gives both.
    assert.match(r.error?.message ?? '', /update of optimizer rule 'throwsAtStep4' at step 3 \(ctx\.step 4\): rule exploded on purpose/);
    assert.equal(r.error?.file, BAD);
    const line = lineOf("throw new Error('rule exploded");
    assert.equal(r.error?.line, line);
    assert.equal(r.error?.column, badSource[line - 1].indexOf('new Error') + 1);
    assert.match(r.error?.stack ?? '', /badRules\.ts:\d+:\d+/);
    assert.equal(r.leaked, 0);
  });

  it('init throwing: at the throw in the rule file, before any step', async () => {
    const r = await runInProcess({ file: OBJECTIVE, optimizer: { id: 'throwsInInit', rule: { file: BAD } }, steps: 5, compile: false });
    assert.equal(r.error?.kind, 'optimizer-rule');
    assert.match(r.error?.message ?? '', /init of optimizer rule 'throwsInInit': init exploded on purpose/);
    assert.equal(r.error?.line, lineOf("throw new Error('init exploded"));
    assert.deepEqual(r.steps, []);
    assert.equal(r.leaked, 0);
  });

  it('update returning a parameter of the wrong shape: the shapes, at the declaration line', async () => {
    const r = await runInProcess({ file: OBJECTIVE, optimizer: { id: 'wrongShape', rule: { file: BAD } }, steps: 5 });
    assert.equal(r.error?.kind, 'optimizer-rule');
    assert.match(r.error?.message ?? '', /optimizer rule 'wrongShape'.*param of shape \[\], expected \[2\]/);
    assert.equal(r.error?.file, BAD);
    assert.equal(r.error?.line, lineOf('export const wrongShape'));
    assert.equal(r.leaked, 0);
  });

  it('#name that the file does not export: the message lists its rules', async () => {
    const file = path.join(RULES, 'rules.ts');
    const r = await runInProcess({ file: OBJECTIVE, optimizer: { id: 'lion', rule: { file } } });
    assert.equal(r.error?.kind, 'optimizer-rule');
    assert.equal(r.error?.file, file);
    assert.equal(r.error?.line, undefined);
    assert.match(r.error?.message ?? '', /no optimizer rule named 'lion' in .*rules\.ts; rules: signDescent, heavyBall$/);
    // An export that is not a rule, and a file with two rules and no name, say so too.
    const helper = await runInProcess({ file: OBJECTIVE, optimizer: { id: 'helper', rule: { file } } });
    assert.match(helper.error?.message ?? '', /export 'helper' of .*rules\.ts is not an optimizer rule/);
    const unnamed = await runInProcess({ file: OBJECTIVE, optimizer: { id: '', rule: { file } } });
    assert.equal(unnamed.error?.kind, 'optimizer-rule');
    assert.match(unnamed.error?.message ?? '', /exports 2 optimizer rules \(signDescent, heavyBall\); choose one with .*rules\.ts#NAME/);
    const none = await runInProcess({ file: OBJECTIVE, optimizer: { id: '', rule: { file: OBJECTIVE } } });
    assert.match(none.error?.message ?? '', /no optimizer rule in .*single\.ts/);
    for (const x of [r, helper, unnamed, none]) assert.equal(x.leaked, 0);
  });

  it('an unknown --hp name for a rule: kind hyperparameter (the request is wrong), listing the valid names, at the rule', async () => {
    const file = path.join(RULES, 'rules.ts');
    const r = await runInProcess({ file: OBJECTIVE, optimizer: { id: 'heavyBall', hp: { momentun: '0.5' }, rule: { file } } });
    assert.equal(r.error?.kind, 'hyperparameter');
    assert.match(r.error?.message ?? '', /unknown hyperparameter 'momentun' for optimizer 'heavyBall'; valid: momentum, betas/);
    assert.equal(r.error?.file, file);
    assert.equal(r.error?.line, fs.readFileSync(file, 'utf8').split('\n').findIndex((l) => l.startsWith('export const heavyBall')) + 1);
    // A tuple of the wrong length and lr given as a hyperparameter are refused the same way.
    const tuple = await runInProcess({ file: OBJECTIVE, optimizer: { id: 'heavyBall', hp: { betas: '0.9' }, rule: { file } } });
    assert.match(tuple.error?.message ?? '', /betas for 'heavyBall' must be two numbers/);
    const lr = await runInProcess({ file: OBJECTIVE, optimizer: { id: 'heavyBall', hp: { lr: '0.5' }, rule: { file } } });
    assert.match(lr.error?.message ?? '', /set the learning rate of 'heavyBall' with --lr/);
    for (const x of [r, tuple, lr]) assert.equal(x.leaked, 0);
  });

  it('after every failure above, a rule still runs in the same process', async () => {
    const r = await runInProcess({ file: OBJECTIVE, optimizer: { id: 'signDescent', rule: { file: path.join(RULES, 'rules.ts') } }, steps: 2 });
    assert.equal(r.error, undefined);
    // sign descent with lr 0.1 from (3, −4): two steps of 0.1 against the sign.
    const [x, y] = r.done?.final.params ?? [];
    assert.ok(Math.abs(x - 2.8) < 1e-6 && Math.abs(y + 3.8) < 1e-6, `(${x}, ${y})`);
  });
});
