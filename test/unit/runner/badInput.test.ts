import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fixture, runInProcess } from './runInProcess';

const BAD = fixture('bad.ts');
const source = fs.readFileSync(BAD, 'utf8').split('\n');
/** 1-based line of the first line containing `text` in bad.ts. */
const lineOf = (text: string) => source.findIndex((l) => l.includes(text)) + 1;

describe('runner: bad input gives a clear error and loses nothing', () => {
  it('syntax error: file, 1-based line and character column (non-ASCII before it), from unsaved text', async () => {
    const text = fs.readFileSync(fixture('syntaxError.ts.txt'), 'utf8');
    const file = path.join(path.dirname(BAD), 'unsaved.ts');
    const r = await runInProcess({ file, text });
    assert.equal(r.error?.kind, 'compile');
    assert.equal(r.error?.file, file);
    const lines = text.split('\n');
    const line = lines.findIndex((l) => l.includes('+*')) + 1;
    assert.equal(r.error?.line, line);
    // esbuild counts bytes; 'é' twice before the error is 2 bytes more than characters.
    assert.equal(r.error?.column, lines[line - 1].indexOf('*') + 1);
    assert.match(r.error?.message ?? '', /Unexpected "\*"/);
    assert.equal(r.meta, undefined);
  });

  it('syntax error in a file on disk points at that file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'optlab-'));
    const file = path.join(dir, 'broken.ts');
    fs.copyFileSync(fixture('syntaxError.ts.txt'), file);
    const r = await runInProcess({ file });
    assert.equal(r.error?.kind, 'compile');
    assert.equal(r.error?.file, file);
    assert.equal(r.error?.line, 4);
    fs.rmSync(dir, { recursive: true });
  });

  it('no objective in the file: says what an objective is and names the plain functions', async () => {
    const r = await runInProcess({ file: fixture('none.ts') });
    assert.equal(r.error?.kind, 'objective');
    assert.match(r.error?.message ?? '', /no objective in .*none\.ts: an objective is an exported function with an `init` property \(exported functions without init: helper\)/);
  });

  it('unknown objective name lists the objectives', async () => {
    const r = await runInProcess({ file: fixture('constrained.ts'), objective: 'nope' });
    assert.equal(r.error?.kind, 'objective');
    assert.match(r.error?.message ?? '', /no objective named 'nope' in .*; objectives: nonneg, ball, box, onLine/);
  });

  it('several objectives and no name: lists them', async () => {
    const r = await runInProcess({ file: fixture('constrained.ts') });
    assert.equal(r.error?.kind, 'objective');
    assert.match(r.error?.message ?? '', /has 4 objectives \(nonneg, ball, box, onLine\); choose one with --objective NAME/);
  });

  it('an exported function without init, named explicitly, says to add init', async () => {
    const r = await runInProcess({ file: BAD, objective: 'notAnObjective' });
    assert.equal(r.error?.kind, 'objective');
    assert.match(r.error?.message ?? '', /'notAnObjective' is not an objective: it has no `init` property/);
  });

  it('init missing (undefined): kind init, at the declaration line', async () => {
    const r = await runInProcess({ file: BAD, objective: 'initMissing' });
    assert.equal(r.error?.kind, 'init');
    assert.match(r.error?.message ?? '', /objective 'initMissing': init is undefined; give the starting point/);
    assert.equal(r.error?.file, BAD);
    assert.equal(r.error?.line, lineOf('export function initMissing'));
  });

  it('init malformed: a ragged array names the bad row', async () => {
    const r = await runInProcess({ file: BAD, objective: 'initRagged' });
    assert.equal(r.error?.kind, 'init');
    assert.match(r.error?.message ?? '', /init is ragged: init\[0\] has shape \[2\] but init\[1\] has shape \[1\]/);
    assert.equal(r.error?.line, lineOf('export function initRagged'));
  });

  it('init malformed: a string names the element', async () => {
    const r = await runInProcess({ file: BAD, objective: 'initString' });
    assert.equal(r.error?.kind, 'init');
    assert.match(r.error?.message ?? '', /init\[1\] is the string "two", expected a number/);
  });

  it('loss not a scalar: gives the shape and how to reduce it', async () => {
    const r = await runInProcess({ file: BAD, objective: 'notScalar' });
    assert.equal(r.error?.kind, 'loss-shape');
    assert.match(r.error?.message ?? '', /returned a tensor of shape \[2\]; the loss must be a scalar/);
    assert.equal(r.error?.line, lineOf('export function notScalar'));
    assert.equal(r.leaked, 0);
  });

  it('loss that does not depend on the parameters (no gradient path, via dataSync)', async () => {
    const r = await runInProcess({ file: BAD, objective: 'noGradient' });
    assert.equal(r.error?.kind, 'no-gradient');
    assert.match(r.error?.message ?? '', /the loss does not depend on the parameters \(no gradient path\)/);
    assert.equal(r.error?.line, lineOf('export function noGradient'));
    assert.equal(r.leaked, 0);
  });

  it('NaN loss or gradient: "diverged at step k", earlier steps kept', async () => {
    const r = await runInProcess({ file: BAD, objective: 'nanAtStep4', optimizer: { id: 'sgd', lr: 0.3 }, steps: 10 });
    assert.equal(r.done?.status, 'diverged');
    assert.match(r.done?.message ?? '', /^diverged at step 4: the loss or gradient became NaN or Infinity/);
    assert.deepEqual(r.steps.map((s) => s.step), [0, 1, 2, 3]);
    assert.ok(r.steps.every((s) => Number.isFinite(s.loss)));
    // The final point is the last good one (x = 0.1 before update 3).
    assert.ok(Math.abs((r.done?.final.params[0] ?? NaN) - 0.1) < 1e-6);
    assert.equal(r.leaked, 0);
  });

  it('objective that throws: kind threw, stack mapped to the throwing line of the user file', async () => {
    // The objective counts its calls: no landscape, whose grid would call it first, and on tensors
    // (compiled, it is called only while traced, and never reaches its throw).
    const r = await runInProcess({ file: BAD, objective: 'throwsLater', steps: 10, landscape: false, compile: false });
    assert.equal(r.error?.kind, 'threw');
    assert.match(r.error?.message ?? '', /objective 'throwsLater' threw at step 2: exploded on purpose/);
    assert.equal(r.error?.file, BAD);
    assert.equal(r.error?.line, lineOf("throw new Error('exploded on purpose')"));
    assert.equal(r.error?.column, source[lineOf("throw new Error('exploded")- 1].indexOf('new Error') + 1);
    assert.match(r.error?.stack ?? '', /bad\.ts:\d+:\d+/);
    assert.equal(r.leaked, 0);
  });

  it('unknown optimizer id lists the valid ones', async () => {
    const r = await runInProcess({ file: fixture('single.ts'), optimizer: { id: 'adamm' } });
    assert.equal(r.error?.kind, 'unknown-optimizer');
    assert.match(r.error?.message ?? '', /unknown optimizer 'adamm'; valid: sgd, .*adam/);
  });

  it('unknown hyperparameter lists the valid ones', async () => {
    const r = await runInProcess({ file: fixture('single.ts'), optimizer: { id: 'sgd', hp: { momentun: 0.9 } } });
    assert.equal(r.error?.kind, 'hyperparameter');
    assert.match(r.error?.message ?? '', /unknown hyperparameter 'momentun' for optimizer 'sgd'; valid: momentum, dampening/);
  });

  it('negative lr is rejected', async () => {
    const r = await runInProcess({ file: fixture('single.ts'), optimizer: { id: 'adam', lr: -0.1 } });
    assert.equal(r.error?.kind, 'hyperparameter');
    assert.match(r.error?.message ?? '', /invalid lr for 'adam': must be >= 0, got -0\.1/);
  });

  it('betas outside [0, 1) are rejected', async () => {
    const r = await runInProcess({ file: fixture('single.ts'), optimizer: { id: 'adam', hp: { betas: '0.9,1.5' } } });
    assert.equal(r.error?.kind, 'hyperparameter');
    assert.match(r.error?.message ?? '', /betas.*\[0, 1\)/);
  });

  it('an unknown schedule names the valid ones', async () => {
    const r = await runInProcess({ file: fixture('single.ts'), schedule: 'cosinus' });
    assert.equal(r.error?.kind, 'schedule');
    assert.match(r.error?.message ?? '', /unknown schedule 'cosinus'; valid: /);
  });

  it('after every failure above, the same process still runs a good objective (warm engine state intact)', async () => {
    const r = await runInProcess({ file: fixture('single.ts'), optimizer: { id: 'sgd', lr: 0.5 }, steps: 2 });
    assert.equal(r.error, undefined);
    assert.deepEqual(r.done?.final.params, [0.75, -1]);
  });
});
