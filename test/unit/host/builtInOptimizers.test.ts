/** The host's catalogue: read once from the file the build writes, validated, and never a reason to fail activation. */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { optimizerCatalog } from '../../../src/core/optimizers/catalog';
import { BuiltInOptimizers, readCatalogFile } from '../../../src/host/builtInOptimizers';

describe('BuiltInOptimizers', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'optlab-catalog-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads the catalogue as the runner writes it (JSON of the registry), every optimizer intact', async () => {
    const file = path.join(dir, 'optimizers.json');
    const catalog = optimizerCatalog();
    fs.writeFileSync(file, JSON.stringify(catalog, null, 2));
    const optimizers = new BuiltInOptimizers(() => readCatalogFile(file));
    assert.deepEqual(optimizers.all, [], 'nothing before it is read');
    assert.deepEqual(await optimizers.loaded, JSON.parse(JSON.stringify(catalog)));
    assert.equal(optimizers.find('adam')?.torchClass, 'torch.optim.Adam');
    assert.equal(optimizers.find('nope'), undefined);
    assert.equal(optimizers.all.length, catalog.length);
  });

  it('a missing or malformed file is reported once and leaves an empty catalogue', async () => {
    const errors: string[] = [];
    const missing = new BuiltInOptimizers(() => readCatalogFile(path.join(dir, 'none.json')), (m) => errors.push(m));
    assert.deepEqual(await missing.loaded, []);
    assert.match(errors[0], /none\.json could not be read .*npm run build writes it/);
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(bad, JSON.stringify([{ id: 'adam' }]));
    const malformed = new BuiltInOptimizers(() => readCatalogFile(bad), (m) => errors.push(m));
    assert.deepEqual(await malformed.loaded, []);
    assert.match(errors[1], /bad\.json: 0\.family/);
    fs.writeFileSync(bad, '{ truncated');
    assert.deepEqual(await new BuiltInOptimizers(() => readCatalogFile(bad), (m) => errors.push(m)).loaded, []);
    assert.match(errors[2], /bad\.json is not JSON .*npm run build writes it/);
  });
});
