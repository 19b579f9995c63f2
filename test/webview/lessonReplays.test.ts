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
      for (const k of [0, Math.floor(lesson.steps / 3), lesson.steps - 1]) {
        await scrubber.fill(String(k));
        const [f] = await page.evaluate(() => (window as unknown as LessonWindow).optimizerLab.replay.frames());
        const x = f.params[0];
        const near = (a: number, b: number) => Math.abs(a - b) <= 1e-4 * Math.max(1, Math.abs(b));
        assert.ok(near(f.loss, lesson.f(x)), `step ${k}: loss ${f.loss} at x = ${x}, f(x) = ${lesson.f(x)}`);
        assert.ok(f.grad && near(f.grad[0], lesson.df(x)), `step ${k}: the tangent's slope ${f.grad?.[0]} at x = ${x}, f'(x) = ${lesson.df(x)}`);
      }
    });
  }
});
