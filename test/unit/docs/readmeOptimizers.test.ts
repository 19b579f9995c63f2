/** README's optimizer table is what `npm run docs:optimizers` writes from the registry: it cannot drift. */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import { OPTIMIZERS } from '../../../src/core/optimizers/registry';
import { PACKAGE_JSON, README, TABLE_BEGIN, TABLE_END, registryPackageJson, registryTable, withDefaultOptimizerEnum, withOptimizerTable } from '../../../scripts/docsOptimizers';

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

describe("package.json's default-optimizer setting", () => {
  const setting = (text: string) => (JSON.parse(text) as { contributes: { configuration: { properties: Record<string, { enum?: string[]; enumDescriptions?: string[] }> } } })
    .contributes.configuration.properties['optimizerLab.defaultOptimizer'];

  it('lists the registry\'s ids with their summaries (run npm run docs:optimizers after adding an optimizer)', async () => {
    const written = setting(fs.readFileSync(PACKAGE_JSON, 'utf8'));
    const expected = setting(await registryPackageJson());
    assert.deepEqual(written.enum, OPTIMIZERS.map((o) => o.id), 'package.json is out of date: npm run docs:optimizers rewrites the ids');
    assert.deepEqual(written.enumDescriptions, expected.enumDescriptions);
    assert.ok(written.enum?.includes('adam') && written.enum.includes('lbfgs'));
  });

  it('rewrites only the two lists, keeping the rest of the file as written', () => {
    const text = '{\n  "contributes": {\n    "configuration": {\n      "properties": {\n        "optimizerLab.defaultOptimizer": {\n          "enum": ["old"],\n          "markdownDescription": "\\u25b6 Run"\n        }\n      }\n    }\n  }\n}\n';
    const after = withDefaultOptimizerEnum(text, [{ id: 'a', summary: 'A.' }, { id: 'b', summary: 'B.' }]);
    assert.deepEqual(setting(after).enum, ['a', 'b']);
    assert.deepEqual(setting(after).enumDescriptions, ['A.', 'B.']);
    assert.ok(after.includes('"\\u25b6 Run"'), 'the escaped character is kept as written');
  });
});
