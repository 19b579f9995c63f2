/**
 * Replay benchmark of the dashboard (issue 23, Quality: "replaying 10,000
 * steps of 4 runs keeps at least 30 frames per second in headless Chromium"):
 * 4 finished Rosenbrock runs of 10,000 steps (2 parameters, with the contour
 * landscape and the optimizer's state on every record, as the runner sends
 * it with pathState) are loaded into the built dashboard, the Trajectory
 * card's replay is played at 1× and frame times are taken from
 * requestAnimationFrame timestamps over the measured window (≥ 5 s).
 * Prints the median fps, the 5th-percentile fps (the 95th-percentile frame
 * time), the longest frame and the replay's own work per frame.
 *   npm run build && npx tsx bench/replayFps.ts [stepsPerRun] [seconds]
 * PROFILE=1 adds the top self-time functions (Chrome's CPU profiler over CDP).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import type { CDPSession, Page } from 'playwright-core';
import type { DashboardEvent } from '../src/protocol/webview';
import { launchChromium } from '../test/webview/harness/browser';
import { landscapeGrid } from '../test/webview/harness/eventStream';
import { mediaDir, repoRoot, startHarness } from '../test/webview/harness/harnessServer';
import { openDashboard, send, settle } from '../test/webview/harness/pageDriver';
import { withState } from '../test/webview/replayEvents';

interface Measured {
  intervals: number[];
  /** The replay's own work per frame (seek: overlay and chart redraw), ms. */
  work: number[];
  /** Replay steps shown at the start and end of the window. */
  from: number;
  to: number;
  seconds: number;
}

function pct(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

/** Four runs as the runner streams them with path state: Adam, momentum, SGD, SGD with a cosine schedule. */
function runsOf(steps: number): DashboardEvent[] {
  const plans = [
    { runId: 'adam', optimizer: 'adam' as const, lr: 0.01 }, { runId: 'momentum', optimizer: 'momentum' as const, lr: 0.0005 },
    { runId: 'sgd', optimizer: 'sgd' as const, lr: 0.001 }, { runId: 'sgd-cos', optimizer: 'sgd' as const, lr: 0.002, schedule: 'cosine' as const },
  ];
  return plans.flatMap((p) => {
    const [started, ...rest] = withState({ ...p, steps, batch: 1000 });
    return [started, { type: 'landscape', runId: p.runId, grid: landscapeGrid() } as DashboardEvent, ...rest];
  });
}

/** Plays the replay and collects animation-frame intervals for `seconds` (the replay lasts about 10 s at 1×). */
async function measure(page: Page, seconds: number): Promise<Measured> {
  await page.evaluate(() => {
    // Times each seek (what a replay frame costs the page), wrapping the instance's method.
    const replay = (window as unknown as { optimizerLab: { replay: { seek(k: number): void; work?: number[] } } }).optimizerLab.replay;
    const seek = replay.seek.bind(replay);
    replay.work = [];
    replay.seek = (k) => {
      const t = performance.now();
      seek(k);
      replay.work?.push(performance.now() - t);
    };
  });
  await page.locator('section[data-chart="trajectory"] button[aria-label="Play the replay"]').click();
  return page.evaluate(async (ms): Promise<Measured> => {
    const replay = (window as unknown as { optimizerLab: { replay: { step: number; work: number[] } } }).optimizerLab.replay;
    replay.work.length = 0;
    const intervals: number[] = [];
    const from = replay.step;
    const t0 = await new Promise<number>((r) => requestAnimationFrame(r));
    let last = t0;
    for (;;) {
      const t = await new Promise<number>((r) => requestAnimationFrame(r));
      intervals.push(t - last);
      last = t;
      if (t - t0 >= ms) break;
    }
    return { intervals, work: [...replay.work], from, to: replay.step, seconds: (last - t0) / 1000 };
  }, seconds * 1000);
}

async function topSelfTime(cdp: CDPSession): Promise<string> {
  const { profile } = await cdp.send('Profiler.stop') as { profile: { nodes: { callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }[] } };
  const self = new Map<string, number>();
  let total = 0;
  for (const n of profile.nodes) {
    const k = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber}`;
    self.set(k, (self.get(k) ?? 0) + (n.hitCount ?? 0));
    total += n.hitCount ?? 0;
  }
  return [...self].sort((a, b) => b[1] - a[1]).slice(0, 20).map(([k, v]) => `  ${(100 * v / total).toFixed(1)} %\t${k}`).join('\n');
}

async function main(): Promise<void> {
  const steps = Number(process.argv[2] ?? 10_000);
  const seconds = Math.max(5, Number(process.argv[3] ?? 6));
  if (!fs.existsSync(path.join(mediaDir, 'dashboard.js'))) execFileSync('npm', ['run', 'build'], { cwd: repoRoot, stdio: 'inherit' });
  const server = await startHarness();
  const browser = await launchChromium();
  try {
    const page = await openDashboard(browser, server, 'dark', 1400);
    await send(page, { type: 'snapshot', version: 0, runs: [], ghosts: [], banner: null });
    await send(page, { type: 'events', events: runsOf(steps) });
    await settle(page);
    const end = await page.evaluate(() => (window as unknown as { optimizerLab: { replay: { lastStep: number } } }).optimizerLab.replay.lastStep);
    if (end < steps) throw new Error(`the replay ends at step ${end}, not ${steps}`);
    const cdp = process.env.PROFILE ? await page.context().newCDPSession(page) : undefined;
    if (cdp) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.start');
    }
    const load = os.loadavg()[0];
    const m = await measure(page, seconds);
    const f = (x: number) => x.toFixed(1);
    const median = pct(m.intervals, 50), p95 = pct(m.intervals, 95);
    console.log(`replay: 4 runs × ${steps} steps (2 parameters, contour, optimizer state), 1×, headless Chromium, load average ${load.toFixed(1)}`);
    console.log(`  ${m.intervals.length} frames in ${f(m.seconds)} s, replay steps ${m.from} -> ${m.to}`);
    console.log(`  median ${f(1000 / median)} fps (frame ${f(median)} ms); 5th percentile ${f(1000 / p95)} fps (95th-percentile frame ${f(p95)} ms); longest frame ${f(Math.max(...m.intervals))} ms`);
    console.log(`  replay work per frame (seek: overlay + chart redraw): median ${f(pct(m.work, 50))} ms, p95 ${f(pct(m.work, 95))} ms, max ${f(Math.max(...m.work))} ms`);
    console.log(`  ${1000 / median >= 30 ? 'meets' : 'misses'} the 30 fps target (median)`);
    if (cdp) console.log(`top self time while replaying:\n${await topSelfTime(cdp)}`);
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
