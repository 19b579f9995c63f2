import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildBundles } from './buildBundles';
import { EXAMPLES } from './runInProcess';

describe('optlab CLI: where a schedule-free run\'s losses are', function () {
  this.timeout(120_000);
  let cli: string;
  let out: string;
  before(async () => ({ cli, dir: out } = await buildBundles()));

  const optlab = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: path.resolve(__dirname, '../../..') });

  it('prints a line under the summary and puts lossAt in the --json record; a plain run has neither', () => {
    const json = path.join(out, 'schedule-free.json');
    const free = optlab('run', `${EXAMPLES}/scheduleFree.ts`, '--optimizer', 'schedule-free-adamw', '--lr', '0.05', '--steps', '30', '--backend', 'cpu', '--json', json);
    assert.equal(free.status, 0, free.stderr);
    assert.match(free.stdout, /schedule-free-adamw\s+0\.05\s+completed/);
    assert.match(free.stdout, /^losses and final parameters are at the evaluation point x \(gradients taken at y\)$/m);
    const record = JSON.parse(fs.readFileSync(json, 'utf8')) as { lossAt?: string; steps: unknown[] };
    assert.equal(record.lossAt, 'evaluation point x (gradients taken at y)');
    assert.equal(record.steps.length, 30);
    const plain = optlab('run', `${EXAMPLES}/scheduleFree.ts`, '--optimizer', 'adamw', '--lr', '0.05', '--steps', '5', '--backend', 'cpu', '--json', json);
    assert.equal(plain.status, 0, plain.stderr);
    assert.doesNotMatch(plain.stdout, /losses and final parameters/);
    assert.equal('lossAt' in (JSON.parse(fs.readFileSync(json, 'utf8')) as object), false);
  });
});
