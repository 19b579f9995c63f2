import { strict as assert } from 'node:assert';
import { OPTIMIZERS } from '../../../src/core/optimizers/registry';
import { OPTIMIZER_CATALOG } from '../../../src/host/optimizerCatalog';

describe('OPTIMIZER_CATALOG', () => {
  it('matches the core registry (ids, torch names, default lr, summaries)', () => {
    assert.deepEqual(
      OPTIMIZER_CATALOG.map((o) => ({ ...o })),
      OPTIMIZERS.map((o) => ({ id: o.id, torchName: o.torchName, defaultLr: o.defaultLr, summary: o.summary })),
    );
  });
});
