/**
 * Streaming benchmark of the dashboard: 4 runs × 100,000 steps arrive in host
 * batches every 50 ms (runner batches of 100 steps, curvature every 1,000),
 * in headless Chromium. Reports animation-frame intervals, the dashboard's
 * work per frame and long tasks.
 *   npm run build && npx tsx bench/dashboardStreaming.ts [stepsPerRun] [stepsPerSecondPerRun]
 */
import { launchChromium } from '../test/webview/harness/browser';
import { startHarness } from '../test/webview/harness/harnessServer';
import { openDashboard, send } from '../test/webview/harness/pageDriver';

interface Result {
  wallMs: number;
  intervals: number[];
  work: number[];
  longTasks: number[];
  renders: number;
  renderMs: number[];
  receiveMs: number[];
  points: number;
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

async function main(): Promise<void> {
  const steps = Number(process.argv[2] ?? 100_000);
  const rate = Number(process.argv[3] ?? 20_000);
  const server = await startHarness();
  const browser = await launchChromium();
  try {
    const page = await openDashboard(browser, server, 'dark', 1400);
    await send(page, { type: 'snapshot', version: 0, runs: [], ghosts: [], banner: null });
    // tsx keeps function names with a helper that does not exist in the page.
    await page.evaluate('globalThis.__name = (f) => f');
    const profile = process.env.PROFILE ? await page.context().newCDPSession(page) : undefined;
    if (profile) {
      await profile.send('Profiler.enable');
      await profile.send('Profiler.start');
    }
    const result = await page.evaluate(async ({ steps, rate }): Promise<Result> => {
      type Gen = Generator<{ type: string; steps?: unknown[] }>;
      const w = window as unknown as {
        optlabFixtures: { runEvents(p: object): Gen };
        optimizerLab: { stats: { frames: number[]; renders: number; renderMs: number[]; receiveMs: number[] }; counts(): Record<string, Record<string, number>> };
      };
      const plans = [
        { runId: 'adam', optimizer: 'adam', lr: 0.01 }, { runId: 'momentum', optimizer: 'momentum', lr: 0.0005 },
        { runId: 'sgd', optimizer: 'sgd', lr: 0.001 }, { runId: 'sgd-cos', optimizer: 'sgd', lr: 0.002, schedule: 'cosine' },
      ].map((p) => ({ ...p, steps, batch: 100, curvatureEvery: 1000, msPerStep: 1000 / rate }));
      const gens = plans.map((p) => w.optlabFixtures.runEvents(p));
      const longTasks: number[] = [];
      new PerformanceObserver((l) => l.getEntries().forEach((e) => longTasks.push(e.duration))).observe({ type: 'longtask', buffered: false });
      const intervals: number[] = [];
      let streaming = true;
      let last = performance.now();
      const tick = (t: number) => {
        intervals.push(t - last);
        last = t;
        if (streaming) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
      w.optimizerLab.stats.frames.length = 0;
      w.optimizerLab.stats.renderMs.length = 0;
      w.optimizerLab.stats.receiveMs.length = 0;
      const start = performance.now();
      const perBatch = rate * 0.05;
      const done = gens.map(() => false);
      while (!done.every(Boolean)) {
        const events: unknown[] = [];
        gens.forEach((g, i) => {
          let n = 0;
          while (!done[i] && n < perBatch) {
            const r = g.next();
            if (r.done) { done[i] = true; break; }
            events.push(r.value);
            n += r.value.steps?.length ?? 0;
          }
        });
        if (events.length > 0) window.postMessage({ type: 'events', events }, '*');
        await new Promise((r) => setTimeout(r, 50));
      }
      await new Promise((r) => setTimeout(r, 500));
      streaming = false;
      const counts = w.optimizerLab.counts();
      return {
        wallMs: performance.now() - start, intervals: intervals.slice(1), work: [...w.optimizerLab.stats.frames], longTasks,
        renders: w.optimizerLab.stats.renders, renderMs: [...w.optimizerLab.stats.renderMs], receiveMs: [...w.optimizerLab.stats.receiveMs], points: Object.values(counts.loss).reduce((a, b) => a + b, 0),
      };
    }, { steps, rate });
    if (profile) {
      const { profile: prof } = await profile.send('Profiler.stop') as { profile: { nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }[] } };
      const self = new Map<string, number>();
      for (const n of prof.nodes) {
        const k = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber}`;
        self.set(k, (self.get(k) ?? 0) + (n.hitCount ?? 0));
      }
      console.log([...self].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, v]) => `${v}\t${k}`).join('\n'));
    }
    const f = (x: number) => x.toFixed(1);
    console.log(`dashboard streaming: 4 runs × ${steps} steps at ${rate} steps/s per run, host batches every 50 ms`);
    console.log(`  streamed in ${f(result.wallMs / 1000)} s; loss points drawn from ${result.points} records; ${result.renders} chart redraws`);
    console.log(`  frame interval ms: p50 ${f(pct(result.intervals, 50))}, p95 ${f(pct(result.intervals, 95))}, p99 ${f(pct(result.intervals, 99))}, max ${f(Math.max(...result.intervals))} (${result.intervals.length} frames)`);
    console.log(`  dashboard work per frame ms: p50 ${f(pct(result.work, 50))}, p95 ${f(pct(result.work, 95))}, max ${f(Math.max(...result.work))}`);
    console.log(`  chart redraw ms: p50 ${f(pct(result.renderMs, 50))}, p95 ${f(pct(result.renderMs, 95))}, max ${f(Math.max(...result.renderMs))}`);
    console.log(`  validate+apply per host message ms: p50 ${f(pct(result.receiveMs, 50))}, p95 ${f(pct(result.receiveMs, 95))}, max ${f(Math.max(...result.receiveMs))} (${result.receiveMs.length} messages)`);
    console.log(`  long tasks (>50 ms): ${result.longTasks.length}, longest ${f(Math.max(0, ...result.longTasks))} ms`);
    await page.close();
  } finally {
    await browser.close();
    await server.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
