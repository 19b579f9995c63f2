import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { findSites } from '../../../src/host/discovery/findSites';
import { SourceIndex, workerParser, type SiteParser } from '../../../src/host/discovery/sourceIndex';
import type { SourceSites } from '../../../src/host/discovery/sites';
import { LION_RULE } from './ruleFixtures';

const OBJECTIVE = 'export function bowl(p) { return p.square().sum(); }\nbowl.init = [1, 2];\n';

describe('SourceIndex: objectives, rules and schedules found off the host thread', function () {
  this.timeout(120_000);

  it('parses each distinct text once, and again after a failure', async () => {
    const asked: string[] = [];
    let failNext = false;
    const parser: SiteParser = {
      parse: async (text) => {
        asked.push(text);
        if (failNext) {
          failNext = false;
          throw new Error('worker gone');
        }
        return findSites(text);
      },
      dispose: () => undefined,
    };
    const index = new SourceIndex(parser);
    const [a, b] = await Promise.all([index.sites(OBJECTIVE), index.sites(OBJECTIVE)]);
    assert.equal(a, b);
    assert.deepEqual(a.objectives.map((o) => o.name), ['bowl']);
    assert.equal(asked.length, 1, 'the lenses and the catalogue asking about one edit cost one parse');
    failNext = true;
    await assert.rejects(index.sites(LION_RULE), /worker gone/);
    const rules = await index.sites(LION_RULE);
    assert.deepEqual(rules.rules.map((r) => r.name), ['lion']);
    assert.equal(asked.length, 3, 'a failed parse is asked again');
  });

  it('the bundled worker answers with the same sites as findSites, and stops on dispose', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'optlab-discovery-'));
    try {
      const workerFile = path.join(dir, 'discoveryWorker.js');
      await esbuild.build({
        entryPoints: [path.join(__dirname, '../../../src/host/discovery/discoveryWorker.ts')],
        outfile: workerFile, bundle: true, platform: 'node', format: 'cjs', logLevel: 'silent',
      });
      const parser = workerParser(workerFile);
      const texts = [OBJECTIVE, LION_RULE, 'export const warm = (step: number) => 1;\n', 'export function broken( {'];
      const answers: SourceSites[] = await Promise.all(texts.map((t) => parser.parse(t)));
      answers.forEach((answer, k) => assert.deepEqual(answer, findSites(texts[k]), texts[k]));
      assert.deepEqual(answers[2].schedules, [{ name: 'warm', form: 'factor', line: 1 }]);
      parser.dispose();
      await assert.rejects(new Promise<SourceSites>((resolve, reject) => { parser.parse(OBJECTIVE).then(resolve, reject); parser.dispose(); }), /stopped/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
