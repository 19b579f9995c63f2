/** README's optimizer table is what `npm run docs:optimizers` writes from the registry: it cannot drift. */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import { OPTIMIZERS } from '../../../src/core/optimizers/registry';
import { README, TABLE_BEGIN, TABLE_END, registryTable, withOptimizerTable } from '../../../scripts/docsOptimizers';

describe("README's optimizer table", () => {
  it('is the table the registry gives (run npm run docs:optimizers after adding or changing an optimizer)', async () => {
    const readme = fs.readFileSync(README, 'utf8');
    const expected = withOptimizerTable(readme, await registryTable());
    // Compared row by row, so a failure names the row that drifted.
    const rows = (text: string) => text.slice(text.indexOf(TABLE_BEGIN), text.indexOf(TABLE_END)).split('\n');
    assert.deepEqual(rows(readme), rows(expected), 'README.md is out of date: npm run docs:optimizers rewrites the table');
  });

  it('has a row per optimizer, saying what each is a reference for', async () => {
    const table = await registryTable();
    const ids = table.split('\n').slice(2).map((line) => /^\| `([^`]+)`/.exec(line)?.[1]);
    assert.deepEqual([...ids].sort(), OPTIMIZERS.map((o) => o.id).sort());
    assert.match(table, /^\| `adam` \| adaptive \| torch\.optim\.Adam \| [^|]+ \| 1e-3 \| betas=0\.9,0\.999, eps=1e-8, weight_decay=0, amsgrad=false \| yes \|$/m);
    assert.match(table, /^\| `newton` \| second-order \| Nocedal & Wright 2006[^|]* \| [^|]+ \| 1 \| damping=0, [^|]* \| no \|$/m);
  });

  it('refuses a README without the markers rather than guessing where the table goes', () => {
    assert.throws(() => withOptimizerTable('# no table here\n', '| a |'), /needs the markers/);
  });
});
