/** The palette's tuned comparison, without the prompts: the CLI it runs, the progress it reads, the file it opens. */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as Command from '../../../src/host/tunedCompareCommand';
import { parseSweepFile } from '../../../src/host/sweepFile';
import { buildBundles } from '../runner/buildBundles';
import { installFakeVscode } from './fake/installFakeVscode';

installFakeVscode();
// Imported after the fake is installed (require, so the order is explicit).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { compareArgs, progressOf } = require('../../../src/host/tunedCompareCommand') as typeof Command;

describe('Compare optimizers (tuned) from the palette', function () {
  this.timeout(300_000);

  it('reads the CLI\'s line per finished run as progress, and nothing else', () => {
    assert.deepEqual(progressOf('[3/12] lr=0.01 seed=0: completed  loss 4.1'), { done: 3, total: 12 });
    assert.equal(progressOf('optlab: interrupted: the runs that finished are kept'), undefined);
  });

  it('the arguments it passes make optlab sweep --compare write a sweep file the Sweep card opens; progress reaches every planned run', async () => {
    const { cli } = await buildBundles();
    const json = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'optlab-compare-cmd-')), 'compare.json');
    const args = compareArgs(path.resolve(__dirname, '../../../examples/rosenbrock.ts'), 'rosenbrock', ['sgd', 'adam'], 'lr=1e-3,1e-2', 20, json);
    const lines: { done: number; total: number }[] = [];
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, [cli, ...args, '--workers', '1'], { stdio: ['ignore', 'ignore', 'pipe'] });
      child.stderr.on('data', (d: Buffer) => d.toString().split('\n').forEach((l) => {
        const p = progressOf(l);
        if (p) lines.push(p);
      }));
      child.on('exit', resolve);
    });
    assert.equal(code, 0);
    // 2 optimizers × (2 tuning runs + 3 held-out seeds).
    assert.deepEqual(lines.map((p) => p.done), Array.from({ length: 10 }, (_, i) => i + 1));
    assert.ok(lines.every((p) => p.total === 10));
    const parsed = parseSweepFile(fs.readFileSync(json, 'utf8'), 'compare.json');
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.message.result.comparison?.optimizers.map((o) => o.id), ['sgd', 'adam']);
    assert.equal(parsed.message.result.comparison?.seeds.length, 3);
  });
});
