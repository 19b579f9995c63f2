/** The dashboard's pure parts, in Node: reduction, fits, contours, exports, the event fold. */
import * as assert from 'node:assert/strict';
import { runsFromEvents, runStatus } from '../../src/protocol/runHistory';
import { hostToWebviewSchema } from '../../src/protocol/webview';
import { contourSegments } from '../../webview/charts/contour';
import { PointReducer } from '../../webview/charts/pointReducer';
import type { Point } from '../../webview/charts/series';
import { fitConvergence } from '../../webview/convergenceFit';
import { cliCommand } from '../../webview/exports/cliCommand';
import { scheduleForm } from '../../src/core/schedules/scheduleForm';
import { torchSnippet } from '../../webview/exports/torchSnippet';
import { speedTitle } from '../../webview/runTable';
import { builtIns } from './harness/catalogue';
import { allEvents, landscapeGrid } from './harness/eventStream';

describe('dashboard pure parts', () => {
  it("the steps/s tooltip says whether a run was compiled to plain JS, and why not", () => {
    const [run] = runsFromEvents(allEvents({ runId: 'speed', optimizer: 'adam', lr: 0.01, steps: 10 }));
    assert.ok(run.meta);
    const meta = run.meta;
    assert.equal(speedTitle({ ...run, meta: { ...meta, compute: { path: 'compiled' } } }), 'compiled to plain JS: the whole loop ran on plain arrays');
    assert.equal(
      speedTitle({ ...run, meta: { ...meta, compute: { path: 'compiled', simd: true } } }),
      'compiled to plain JS and WebAssembly SIMD: the whole loop ran on plain arrays',
    );
    assert.equal(
      speedTitle({ ...run, meta: { ...meta, compute: { path: 'compiled', simd: true, threads: 2, fusedMultiplyAdd: true } } }),
      'compiled to plain JS and WebAssembly SIMD: the whole loop ran on plain arrays, large matrix products with fused multiply-adds on 2 threads',
    );
    assert.equal(
      speedTitle({ ...run, meta: { ...meta, compute: { path: 'compiled', simd: true, threads: 1 } } }),
      'compiled to plain JS and WebAssembly SIMD: the whole loop ran on plain arrays',
    );
    assert.equal(
      speedTitle({ ...run, meta: { ...meta, compute: { path: 'tensors', reason: 'the constraint projection runs on tensors' } } }),
      `TensorFlow.js (${meta.backend}); not compiled: the constraint projection runs on tensors`,
    );
    assert.equal(speedTitle({ ...run, meta: { ...meta, compute: undefined } }), `TensorFlow.js (${meta.backend})`);
  });

  it('PointReducer keeps each bucket\'s extremes, stays bounded, and sees appended points', () => {
    const full: Point[] = [];
    const r = new PointReducer(full, 50);
    for (let i = 0; i < 10_000; i++) full.push({ x: i, y: Math.sin(i / 100) + (i === 7777 ? 50 : 0) });
    const v1 = r.view();
    assert.ok(v1.length <= 4 * 51 + 64, `reduced to ${v1.length}`);
    assert.equal(Math.max(...v1.map((p) => p.y)), Math.max(...full.map((p) => p.y)), 'the spike survives');
    assert.equal(v1[0].x, 0);
    for (let i = 1; i < v1.length; i++) assert.ok(v1[i].x > v1[i - 1].x, 'x stays sorted');
    full.push({ x: 10_000, y: NaN }, { x: 10_001, y: -9 });
    const v2 = r.view();
    assert.ok(v2.some((p) => Number.isNaN(p.y)), 'a gap is kept');
    assert.equal(v2[v2.length - 1].y, -9);
  });

  it('fits a linear rate and a power law', () => {
    const geometric = Array.from({ length: 400 }, (_, k) => ({ x: k + 1, y: 3 * 0.97 ** (k + 1) }));
    const lin = fitConvergence(geometric);
    assert.equal(lin?.kind, 'linear');
    assert.ok(Math.abs((lin?.value ?? 0) - 0.97) < 1e-9);
    const power = Array.from({ length: 400 }, (_, k) => ({ x: k + 1, y: 5 / (k + 1) ** 2 }));
    const pw = fitConvergence(power);
    assert.equal(pw?.kind, 'power');
    assert.ok(Math.abs((pw?.value ?? 0) + 2) < 1e-9);
  });

  it('contour segments lie on the level set', () => {
    const grid = landscapeGrid(40);
    const level = 10;
    const segs = contourSegments(grid, level);
    assert.ok(segs.length > 20);
    const f = (x: number, y: number) => (1 - x) ** 2 + 100 * (y - x * x) ** 2;
    // Linear interpolation on a 40×40 grid: within a few percent of the level.
    for (const [ax, ay] of segs.slice(0, 50)) assert.ok(Math.abs(f(ax, ay) - level) / level < 0.25, `f=${f(ax, ay)}`);
  });

  it('folds events into runs and reports divergence with its step', () => {
    const runs = runsFromEvents(allEvents({ runId: 'd', optimizer: 'sgd', lr: 0.01, steps: 100 }));
    assert.equal(runs.length, 1);
    const s = runStatus(runs[0]);
    assert.equal(s.kind, 'diverged');
    assert.equal(s.kind === 'diverged' && s.step, runs[0].steps.length);
  });

  it('copy texts repeat the run: CLI flags and torch classes, schedules included', () => {
    const [run] = runsFromEvents(allEvents({ runId: 'c', optimizer: 'sgd', lr: 0.002, steps: 50, schedule: 'cosine' }));
    assert.equal(cliCommand(run), 'optlab run /work/examples/rosenbrock.ts --objective rosenbrock --optimizer sgd --lr 0.002 --steps 50 '
      + '--hp momentum=0 --hp dampening=0 --hp weight_decay=0 --hp nesterov=false --schedule cosine:T_max=50 --seed 0');
    const [sgd, newton] = builtIns('sgd', 'newton');
    const py = torchSnippet(run, sgd);
    assert.doesNotMatch(py, /^# (torch|SGD|Sgd)/m, 'a torch class needs no comment');
    assert.match(py, /opt = torch\.optim\.SGD\(\[x\], lr=0\.002, momentum=0, dampening=0, weight_decay=0, nesterov=False\)/);
    assert.match(py, /sched = torch\.optim\.lr_scheduler\.CosineAnnealingLR\(opt, T_max=50\)/);
    assert.match(py, /x = torch\.tensor\(\[-1\.2, 1\], requires_grad=True\)/);
    // The runner parses the spec once (RunMeta.scheduleForm); the snippet renders that form.
    const withSchedule = (spec: string) => torchSnippet({ ...run, meta: { ...run.meta!, schedule: spec, scheduleForm: scheduleForm(spec) } }, sgd);
    const wpy = withSchedule('warmup:steps=5+multistep:milestones=10;20,gamma=0.5');
    assert.match(wpy, /s0 = torch\.optim\.lr_scheduler\.LinearLR\(opt, start_factor=0\.1, end_factor=1, total_iters=5\)/);
    assert.match(wpy, /s1 = torch\.optim\.lr_scheduler\.MultiStepLR\(opt, milestones=\[10, 20\], gamma=0\.5\)/);
    assert.match(wpy, /sched = torch\.optim\.lr_scheduler\.SequentialLR\(opt, \[s0, s1\], milestones=\[5\]\)\n/);
    // The grammar's compositions: a product is a ChainedScheduler, a sequential nests, constant is LambdaLR(1) inside.
    const nested = withSchedule('sequential:milestones=10;50+exponential:gamma=0.9*step:step_size=3+cosine:T_max=40+constant');
    assert.match(nested, /s3 = torch\.optim\.lr_scheduler\.ExponentialLR\(opt, gamma=0\.9\)\ns4 = torch\.optim\.lr_scheduler\.StepLR\(opt, step_size=3\)\ns0 = torch\.optim\.lr_scheduler\.ChainedScheduler\(\[s3, s4\]\)/);
    assert.match(nested, /s1 = torch\.optim\.lr_scheduler\.CosineAnnealingLR\(opt, T_max=40\)\ns2 = torch\.optim\.lr_scheduler\.LambdaLR\(opt, lambda k: 1\.0\)/);
    assert.match(nested, /sched = torch\.optim\.lr_scheduler\.SequentialLR\(opt, \[s0, s1, s2\], milestones=\[10, 50\]\)\n(.|\n)* {4}sched\.step\(\)\n$/);
    assert.match(withSchedule('plateau:patience=3'), /ReduceLROnPlateau\(opt, patience=3\)(.|\n)*sched\.step\(loss\.item\(\)\)/);
    assert.match(withSchedule('cyclic:base_lr=0.001,max_lr=0.1,mode=exp_range'), /CyclicLR\(opt, base_lr=0\.001, max_lr=0\.1, mode="exp_range"\)/);
    assert.doesNotMatch(withSchedule('constant'), /sched/);
    const fromFile = torchSnippet({ ...run, meta: { ...run.meta!, schedule: '/w/lr.ts#decay', scheduleForm: { type: 'function', file: '/w/lr.ts', name: 'decay' } } }, sgd);
    assert.match(fromFile, /# decay in \/w\/lr\.ts: port it to Python(.|\n)*sched = torch\.optim\.lr_scheduler\.LambdaLR\(opt, lr_lambda=decay\)/);
    // Above PARAMS_INLINE_MAX the run lists no initial values: the snippet says so instead of torch.tensor([]).
    const large = torchSnippet({ ...run, meta: { ...run.meta!, paramCount: 200_000, initialParams: [] } }, sgd);
    assert.match(large, /# the run's 200000 initial values are not listed(.|\n)*x = torch\.zeros\(200000, requires_grad=True\)/);
    assert.doesNotMatch(large, /torch\.tensor\(\[\]/);
    // torch has no Newton method: the class is named after the id and a comment names the catalogue's reference.
    const newtonRun = { ...run, meta: { ...run.meta!, optimizer: { id: 'newton', lr: 1, hp: { damping: 0 } } } };
    const npy = torchSnippet(newtonRun, newton);
    assert.equal(newton.torchClass, undefined);
    assert.ok(npy.includes(`# Newton: torch.optim has no newton; the reference implementation: ${newton.reference}\n`), npy);
    assert.match(npy, /opt = Newton\(\[x\], lr=1, damping=0\)/);
    assert.doesNotMatch(npy, /torch\.optim\.newton|torch\.optim\.Newton/i);
    // An id the dashboard's catalogue does not know (an older report) is not given a made-up torch class.
    assert.match(torchSnippet(newtonRun), /# Newton: newton is not in this dashboard's optimizer catalogue/);
  });

  it('the protocol rejects a malformed landscape grid', () => {
    const bad = { type: 'events', events: [{ type: 'landscape', runId: 'a', grid: { xs: [0, 1], ys: [0, 1], values: [[1, 2]] } }] };
    assert.equal(hostToWebviewSchema.safeParse(bad).success, false);
    const good = { type: 'events', events: [{ type: 'landscape', runId: 'a', grid: { xs: [0, 1], ys: [0, 1], values: [[1, 2], [3, null]] } }] };
    assert.equal(hostToWebviewSchema.safeParse(good).success, true);
  });
});
