import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { parseCommand } from '../../../src/runner/cliArgs';
import type { LrFindCommand, SweepCommand } from '../../../src/runner/sweepArgs';

describe('optlab sweep / lr-find arguments', () => {
  it('sweep: grids, fixed hyperparameters, seeds, workers and outputs', () => {
    const c = parseCommand(['sweep', 'f.ts', '--optimizer', 'rules/lion.ts#lion', '--grid', 'lr=1e-4:1e-1:log:16', '--grid', 'beta1=0.8,0.9', '--hp', 'weight_decay=0.1', '--seeds', '3', '--workers', '2', '--steps', '200', '--json', 'o.json', '--csv', 'o.csv']) as SweepCommand;
    assert.equal(c.command, 'sweep');
    assert.deepEqual([c.optimizer, c.optimizerFile], ['lion', path.resolve('rules/lion.ts')]);
    assert.deepEqual(c.dims.map((d) => d.name), ['lr', 'beta1']);
    assert.deepEqual(c.hp, { weight_decay: '0.1' });
    assert.deepEqual([c.mode, c.seeds, c.workers, c.steps, c.halving], ['grid', 3, 2, 200, false]);
    assert.deepEqual([c.json, c.csv], [path.resolve('o.json'), path.resolve('o.csv')]);
  });

  it('search: needs --trials; ranges need no count', () => {
    const c = parseCommand(['sweep', 'f.ts', '--grid', 'lr=1e-5:1e-1:log', '--search', 'sobol', '--trials', '32', '--halving', '--seed', '7']) as SweepCommand;
    assert.deepEqual([c.mode, c.trials, c.halving, c.seed], ['sobol', 32, true, 7]);
    assert.throws(() => parseCommand(['sweep', 'f.ts', '--grid', 'lr=1e-5:1e-1:log', '--search', 'random']), /--search random needs --trials N/);
    assert.throws(() => parseCommand(['sweep', 'f.ts', '--grid', 'lr=1e-5:1e-1:log', '--search', 'grid', '--trials', '3']), /--search must be random or sobol/);
    assert.throws(() => parseCommand(['sweep', 'f.ts']), /at least one --grid/);
    assert.throws(() => parseCommand(['sweep', 'f.ts', '--grid', 'lr=0.1,0.2', '--lr', '0.1']), /both swept .* and fixed/);
    assert.throws(() => parseCommand(['sweep', 'f.ts', '--grid', 'lr=0.1,0.2', '--backend', 'node']), /--backend node is not for sweeps/);
  });

  it('lr-find: the finder defaults, and a range check', () => {
    const c = parseCommand(['lr-find', 'f.ts', '--optimizer', 'sgd', '--hp', 'momentum=0.9']) as LrFindCommand;
    assert.deepEqual([c.from, c.to, c.steps, c.hp], [1e-7, 10, 100, { momentum: '0.9' }]);
    assert.throws(() => parseCommand(['lr-find', 'f.ts', '--steps', '1']), /at least 2/);
  });
});
