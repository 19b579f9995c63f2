import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { OPTIMIZERS } from '../../../src/core/optimizers/registry';
import { REPORT_DATA_ID, hostToWebviewSchema, type HostToWebview, type RunSnapshot } from '../../../src/protocol/webview';
import { buildBundles } from './buildBundles';
import { EXAMPLES } from './runInProcess';

const ROOT = path.resolve(__dirname, '../../..');

/** The snapshot embedded in a report page, validated as the dashboard validates it. */
function embeddedSnapshot(html: string): Extract<HostToWebview, { type: 'snapshot' }> {
  const m = new RegExp(`<script type="application/json" id="${REPORT_DATA_ID}">(.*?)</script>`, 's').exec(html);
  assert.ok(m, 'the report embeds its snapshot');
  const snapshot = hostToWebviewSchema.parse(JSON.parse(m[1]));
  if (snapshot.type !== 'snapshot') throw new Error(`embedded ${snapshot.type}, not a snapshot`);
  assert.equal(snapshot.interactive, false, 'a report has no run controls');
  return snapshot;
}

function embeddedRuns(html: string): RunSnapshot[] {
  return embeddedSnapshot(html).runs;
}

describe('optlab --report', function () {
  this.timeout(120_000);
  let cli: string;
  let out: string;

  before(async () => {
    ({ cli, dir: out } = await buildBundles());
    // The report inlines the dashboard bundle, found in media/ beside the CLI bundle.
    await esbuild.build({
      entryPoints: [path.join(ROOT, 'webview/main.ts')], outfile: path.join(out, 'media', 'dashboard.js'),
      bundle: true, platform: 'browser', format: 'iife', target: 'es2022', logLevel: 'silent',
    });
  });

  const optlab = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: ROOT });

  it('run --report writes one self-contained page with the run embedded: meta, file, every step with its params, the landscape, done', () => {
    const file = path.join(out, 'nested', 'rosenbrock.html');
    const r = optlab('run', `${EXAMPLES}/rosenbrock.ts`, '--optimizer', 'adam', '--lr', '0.05', '--steps', '120', '--backend', 'cpu', '--report', file);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`report written to ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    const html = fs.readFileSync(file, 'utf8');
    // Inlined bundle and styles; nothing to fetch.
    assert.doesNotMatch(html, /<script[^>]* src=|<link[^>]* href=/);
    assert.match(html, /http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;;/);
    const [run, ...more] = embeddedRuns(html);
    assert.equal(more.length, 0);
    assert.equal(run.file, `${EXAMPLES}/rosenbrock.ts`);
    assert.equal(run.meta?.objective, 'rosenbrock');
    assert.equal(run.steps.length, 120);
    assert.deepEqual(run.steps[0].params, run.meta?.initialParams);
    assert.ok(run.steps.every((s) => s.params?.length === 2));
    assert.equal(run.landscape?.kind, 'contour');
    assert.equal(run.landscape?.values.length, 60);
    assert.equal(run.done?.status, 'completed');
    // The catalogue rides along, so the report's torch snippet names torch.optim.Adam (or a paper's reference).
    const optimizers = embeddedSnapshot(html).optimizers ?? [];
    assert.deepEqual(optimizers.map((o) => o.id), OPTIMIZERS.map((o) => o.id));
    assert.equal(optimizers.find((o) => o.id === 'adam')?.torchClass, 'torch.optim.Adam');
  });

  it('demo writes its report with the Rosenbrock runs and prints where', () => {
    const file = path.join(out, 'demo.html');
    const r = optlab('demo', '--backend', 'cpu', '--report', file);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(r.stdout.includes(`file://${file}`), r.stdout);
    const runs = embeddedRuns(fs.readFileSync(file, 'utf8'));
    assert.deepEqual(runs.map((x) => x.meta?.optimizer.id), ['sgd', 'adam', 'lbfgs', 'newton']);
    assert.ok(runs.every((x) => x.meta?.objective === 'rosenbrock' && x.landscape?.kind === 'contour' && x.done?.status === 'completed'));
  });
});
