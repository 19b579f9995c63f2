/** `optlab list-optimizers [--json]`: the registry's optimizers, through the runner process, as text and as JSON. */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { OPTIMIZERS } from '../../../src/core/optimizers/registry';
import { optimizerCatalogSchema } from '../../../src/protocol/runner';
import { buildBundles } from './buildBundles';

describe('optlab list-optimizers', function () {
  this.timeout(120_000);
  let cli: string;
  before(async () => ({ cli } = await buildBundles()));

  const optlab = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: path.resolve(__dirname, '../../..') });

  it('--json: every registered optimizer, in order, with its defaults and whether it compiles', () => {
    const r = optlab('list-optimizers', '--json');
    assert.equal(r.status, 0, r.stderr);
    const catalog = optimizerCatalogSchema.parse(JSON.parse(r.stdout));
    assert.deepEqual(catalog.map((o) => o.id), OPTIMIZERS.map((o) => o.id));
    const adam = catalog.find((o) => o.id === 'adam');
    assert.deepEqual(adam && [adam.family, adam.torchClass, adam.defaultLr], ['adaptive', 'torch.optim.Adam', 0.001]);
    assert.deepEqual(adam?.hyperparams.map((h) => [h.name, h.default]), [['betas', [0.9, 0.999]], ['eps', 1e-8], ['weight_decay', 0], ['amsgrad', false]]);
    assert.deepEqual(adam?.fastPath, { vector: true, matrix: true });
    const newton = catalog.find((o) => o.id === 'newton');
    assert.equal(newton?.torchClass, undefined);
    assert.deepEqual([newton?.fastPath.vector, newton?.fastPath.matrix], [false, false]);
    assert.match(newton?.fastPath.note ?? '', /Hessian/);
  });

  it('text: a heading per family, each optimizer with its reference, defaults and fast path', () => {
    const r = optlab('list-optimizers');
    assert.equal(r.status, 0, r.stderr);
    const families = [...new Set(OPTIMIZERS.map((o) => o.family))];
    const headings = r.stdout.split('\n').filter((l) => families.includes(l));
    assert.deepEqual(headings, families, 'each family once, in the registry\'s order');
    assert.match(r.stdout, /\n {2}sgd +torch\.optim\.SGD\n +Stochastic gradient descent[^\n]*\n +defaults: lr=0\.001 momentum=0 dampening=0 weight_decay=0 nesterov=false\n +compiles: yes \(vectors and matrices\)\n/);
    assert.match(r.stdout, /\n {2}gd-exact +Brent 1973[^\n]*\n[^\n]*\n +defaults: lr=1 [^\n]*\n +compiles: no: gd-exact minimises along the gradient/);
  });

  it('takes no other argument', () => {
    const r = optlab('list-optimizers', 'adam');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /list-optimizers takes only --json, got 'adam'/);
  });
});
