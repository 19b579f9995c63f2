import { strict as assert } from 'node:assert';
import { lensTitles } from '../../../src/host/lensTitles';
import { RunController } from '../../../src/host/runController';
import { DEFAULT_SETTINGS } from '../../../src/host/runSettings';
import { emptyRun } from '../../../src/protocol/runHistory';
import type { RunSnapshot } from '../../../src/protocol/webview';
import { FakeRunner, done, meta, step, tick } from './fakeRunner';

function finished(runId: string, optimizer: string, loss: number, status: 'completed' | 'diverged' = 'completed'): RunSnapshot {
  const run = emptyRun(runId);
  run.meta = { ...meta('bowl'), optimizer: { id: optimizer, lr: 0.1, hp: {} } };
  for (let k = 0; k < 500; k++) run.steps.push(step(k));
  run.done = { type: 'done', runId, status, final: { loss, gradNorm: 0, params: [0, 0] }, stepsPerSecond: 1, wallMs: 1, evals: 500 };
  return run;
}

describe('lens titles name the run whose result they show', () => {
  it('one run of the lens optimizer: its result; of another optimizer: named', () => {
    assert.equal(lensTitles('adam', [finished('a', 'adam', 139)]).run, '▶ Run (adam) · 139 after 500 steps');
    assert.equal(lensTitles('adam', [finished('l', 'lbfgs', 9.1e-13)]).run, '▶ Run (adam) · last: lbfgs 9.1e-13 after 500 steps');
  });

  it('a Compare: the best finished run and how many ran; diverged runs are not best', () => {
    const runs = [finished('s', 'sgd', 2.5, 'diverged'), finished('a', 'adam', 139), finished('l', 'lbfgs', 9.1e-13)];
    runs[0].done!.final.loss = -1;
    assert.equal(lensTitles('adam', runs).run, '▶ Run (adam) · best: lbfgs 9.1e-13 · 3 runs');
    assert.equal(lensTitles('adam', [finished('a', 'adam', 139)], 3).run, '▶ Run (adam) · best: adam 139 · 3 runs', 'two still running');
    assert.equal(lensTitles('adam', [runs[0]], 2).run, '▶ Run (adam) · 2 runs, none finished');
  });

  it('the controller keeps the last batch per objective: after a Compare then a single Run, the lens shows the Run', async () => {
    const runner = new FakeRunner();
    const controller = new RunController(runner, () => DEFAULT_SETTINGS);
    const target = { file: '/w/f.ts', objective: 'bowl' };
    controller.start(target, [{ optimizer: 'sgd' }, { optimizer: 'adam' }, { optimizer: 'lbfgs' }], 'add');
    const losses = [3, 139, 9.1e-13];
    runner.runs.forEach((r, i) => {
      r.handlers.onStarted?.({ ...meta('bowl'), optimizer: { id: ['sgd', 'adam', 'lbfgs'][i], lr: 0.1, hp: {} } });
      r.handlers.onSteps?.([step(0), step(1)]);
    });
    runner.runs[0].finish(done(runner.runs[0].request.runId as string, losses[0]));
    await tick();
    let last = controller.lastBatch('/w/f.ts', 'bowl');
    assert.equal(lensTitles('adam', last?.runs, last?.size).run, '▶ Run (adam) · best: sgd 3 · 3 runs');
    for (const i of [1, 2]) runner.runs[i].finish(done(runner.runs[i].request.runId as string, losses[i]));
    await tick();
    last = controller.lastBatch('/w/f.ts', 'bowl');
    assert.equal(lensTitles('adam', last?.runs, last?.size).run, '▶ Run (adam) · best: lbfgs 9.1e-13 · 3 runs');
    controller.start(target, [{}], 'add');
    runner.runs[3].handlers.onStarted?.(meta('bowl'));
    runner.runs[3].handlers.onSteps?.([step(0), step(1)]);
    runner.runs[3].finish(done(runner.runs[3].request.runId as string, 139));
    await tick();
    last = controller.lastBatch('/w/f.ts', 'bowl');
    assert.equal(lensTitles('adam', last?.runs, last?.size).run, '▶ Run (adam) · 139 after 2 steps');
    controller.dispose();
  });
});
