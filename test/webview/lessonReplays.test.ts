import * as assert from 'node:assert/strict';
import { useDashboardPage } from './harness/dashboardSuite';
import { send, settle } from './harness/pageDriver';
import { LESSONS, lessonEvents } from './lessonRuns';

interface Frame { params: number[]; loss: number; grad?: number[] }
type LessonWindow = { optimizerLab: { replay: { lastStep: number; frames(): Frame[] } } };

describe('the seeds\' 1-D lessons replay on their curve with the tangent', function () {
  const suite = useDashboardPage({ failOnPageErrors: true });

  for (const lesson of LESSONS) {
    it(`${lesson.file} ${lesson.objective} (sgd, lr ${lesson.lr}${lesson.maximize ? ', maximize' : ''}): the iterate is at (x, f(x)) and the tangent's slope is f'(x)`, async () => {
      const { page } = suite;
      const events = await lessonEvents(lesson);
      await send(page, { type: 'snapshot', version: 0, runs: [], ghosts: [], banner: null });
      await send(page, { type: 'events', events });
      await settle(page);
      assert.equal(await page.locator('section[data-chart="trajectory"]').getAttribute('data-mode'), 'curve');
      const scrubber = page.locator('section[data-chart="trajectory"] input.replay-step');
      assert.equal(await scrubber.isVisible(), true);
      assert.equal(await page.evaluate(() => (window as unknown as LessonWindow).optimizerLab.replay.lastStep), lesson.steps);
      const xs = events.flatMap((e) => (e.type === 'steps' ? e.steps.map((st) => st.params?.[0] ?? NaN) : []));
      const [f0, f1] = [lesson.f(xs[0]), lesson.f(xs[xs.length - 1])];
      assert.ok(lesson.maximize ? f1 > f0 : f1 <= f0, `the run ${lesson.maximize ? 'climbs' : 'descends'} f: ${f0} → ${f1}`);
      // A maximised run may stream −f (the loss it minimises): the curve, the iterate and the tangent then all use −f.
      let sign = 1;
      for (const k of [0, Math.floor(lesson.steps / 3), lesson.steps - 1]) {
        await scrubber.fill(String(k));
        const [f] = await page.evaluate(() => (window as unknown as LessonWindow).optimizerLab.replay.frames());
        const x = f.params[0];
        if (k === 0 && lesson.maximize) sign = Math.sign(f.loss * lesson.f(x));
        const near = (a: number, b: number) => Math.abs(a - b) <= 1e-4 * Math.max(1, Math.abs(b));
        assert.ok(near(f.loss, sign * lesson.f(x)), `step ${k}: loss ${f.loss} at x = ${x}, f(x) = ${lesson.f(x)}`);
        assert.ok(f.grad && near(f.grad[0], sign * lesson.df(x)), `step ${k}: the tangent's slope ${f.grad?.[0]} at x = ${x}, f'(x) = ${lesson.df(x)}`);
      }
      assert.equal(sign, lesson.maximize ? -1 : 1, 'a maximised run streams −f (src/core/maximize.ts)');
      const curve = events.find((e) => e.type === 'landscape');
      assert.ok(curve?.type === 'landscape' && curve.grid?.kind === 'curve', 'a curve to move on');
      // The curve takes the run's sign (the runner's inRunSign): the iterate sits on what is drawn.
      const i = Math.floor(curve.grid.xs.length / 2);
      assert.ok(Math.abs((curve.grid.values[0][i] ?? NaN) - sign * lesson.f(curve.grid.xs[i])) < 1e-3 * Math.max(1, Math.abs(lesson.f(curve.grid.xs[i]))), 'the curve drawn is the loss the iterate sits on');
    });
  }
});
