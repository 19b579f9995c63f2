/**
 * The replay on the 3-D surface in headless Chromium: at a replay step the arrows (step taken, −lr·∇f,
 * −lr·m) and Adam's ellipse are drawn at the iterate lifted onto the surface, their ends where the
 * camera projects the runs' own points (computed here from the events and the scene's heights, not
 * from the card's code), in the light and dark themes; the markers move in lockstep with the 2-D
 * replay; the WebM and PNG-frames exports record the surface while it is shown.
 */
import * as assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { DashboardEvent } from '../../src/protocol/webview';
import { useDashboardPage } from './harness/dashboardSuite';
import { landscapeGrid } from './harness/eventStream';
import { type PageWindow, send, settle } from './harness/pageDriver';
import { themeVariables } from './harness/themes';
import { withState } from './replayEvents';
import { readStoredZip } from './storedZipReader';

type Px = [number, number];
interface Drawn {
  matrix: number[]; width: number; height: number; box: { x: [number, number]; y: [number, number] };
  arrows: { runId: string; kind: string; from: Px; to: Px }[]; markers: { runId: string; at: Px }[]; ellipses: { runId: string; points: Px[] }[];
}
interface SurfaceProbe {
  draw(): void;
  drawn?: { matrix: Float32Array; width: number; height: number; scene: { box: Drawn['box']; heightAt(x: number, y: number): number | undefined; heightOf(f: number): number }; shapes: Omit<Drawn, 'matrix' | 'width' | 'height' | 'box'> };
}
type ProbeWindow = PageWindow & { optimizerLab: { landscapes: { surface: SurfaceProbe }; replay: { step: number; lastStep: number; frames(): { runId: string; params: number[] }[] } } };

/** Replay lift (surfaceArrows.ts REPLAY_LIFT) and the on-screen arrow limit (replayOverlay.ts MAX_ARROW_PX): the design's numbers. */
const LIFT = 0.02;
const MAX_ARROW_PX = 90;

/** Adam (with its moment and effective step) and momentum on Rosenbrock, with the contour's grid. */
function runs(): DashboardEvent[] {
  const events = [...withState({ runId: 'adam', optimizer: 'adam', lr: 0.05, steps: 120 }), ...withState({ runId: 'mom', optimizer: 'momentum', lr: 0.0006, steps: 120 })];
  events.splice(1, 0, { type: 'landscape', runId: 'adam', grid: landscapeGrid() });
  return events;
}

function recordOf(events: DashboardEvent[], runId: string, k: number) {
  return events.flatMap((e) => (e.type === 'steps' && e.runId === runId ? e.steps : [])).find((s) => s.step === k);
}

/** Column-major 4×4 × (p, 1), perspective divide, to CSS pixels (y down): written here, not imported from camera.ts. */
function project(m: number[], p: [number, number, number], w: number, h: number): Px {
  const c = [0, 1, 3].map((r) => m[r] * p[0] + m[4 + r] * p[1] + m[8 + r] * p[2] + m[12 + r]);
  return [((c[0] / c[2] + 1) / 2) * w, ((1 - c[1] / c[2]) / 2) * h];
}

function shortened(from: Px, to: Px): Px {
  const [dx, dy] = [to[0] - from[0], to[1] - from[1]];
  const len = Math.hypot(dx, dy);
  return len > MAX_ARROW_PX ? [from[0] + (dx * MAX_ARROW_PX) / len, from[1] + (dy * MAX_ARROW_PX) / len] : to;
}

const near = (a: Px, b: Px, tol: number) => Math.hypot(a[0] - b[0], a[1] - b[1]) <= tol;
const hexRgb = (hex: string): number[] => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));

describe('replay on the 3-D surface', function () {
  const suite = useDashboardPage({ failOnPageErrors: true });
  let page: Page;
  const card = () => page.locator('section[data-chart="trajectory"]');
  const scrubber = () => card().locator('input.replay-step');

  async function openOnSurface(theme: 'dark' | 'light', events: DashboardEvent[]): Promise<void> {
    page = suite.page;
    if (theme !== 'dark') {
      await page.goto(page.url().replace(/theme=\w+/, `theme=${theme}`));
      await page.waitForFunction(() => (window as unknown as PageWindow).__posted?.some((m) => m.type === 'ready'));
    }
    await send(page, { type: 'events', events });
    await settle(page);
    await card().getByRole('button', { name: 'surface', exact: true }).click();
    await settle(page);
  }

  /** Draws now and reads the projection, the scene's heights at `points` and the replay shapes. */
  const drawnWith = (points: [number, number][], losses: number[]) => page.evaluate(([pts, fs]) => {
    const s = (window as unknown as ProbeWindow).optimizerLab.landscapes.surface;
    s.draw();
    const d = s.drawn;
    if (!d) throw new Error('nothing drawn');
    return {
      drawn: { matrix: [...d.matrix], width: d.width, height: d.height, box: d.scene.box, ...d.shapes },
      heights: pts.map(([x, y]) => d.scene.heightAt(x, y) ?? NaN), lossHeights: fs.map((f) => d.scene.heightOf(f)),
    };
  }, [points, losses] as const);

  for (const theme of ['light', 'dark'] as const) {
    it(`${theme}: at step 40 each run's arrows end where the camera projects its points on the surface`, async () => {
      const events = runs();
      await openOnSurface(theme, events);
      const k = 40;
      await scrubber().fill(String(k));
      await settle(page);
      const expected: { runId: string; kind: string; from: [number, number]; to: [number, number] }[] = [];
      for (const runId of ['adam', 'mom']) {
        const here = recordOf(events, runId, k), next = recordOf(events, runId, k + 1);
        assert.ok(here?.params && next?.params && here.state, `${runId}'s records at ${k} and ${k + 1}`);
        const [x, y] = here.params;
        const g = here.state.grad;
        expected.push({ runId, kind: 'step', from: [x, y], to: [next.params[0], next.params[1]] });
        expected.push({ runId, kind: 'grad', from: [x, y], to: [x - here.lr * g[0], y - here.lr * g[1]] });
        const m = here.state.moment;
        if (m) expected.push({ runId, kind: 'moment', from: [x, y], to: [x - here.lr * m[0], y - here.lr * m[1]] });
      }
      const points = expected.flatMap((e) => [e.from, e.to]);
      const losses = ['adam', 'mom'].flatMap((id) => [recordOf(events, id, k)?.loss ?? NaN, recordOf(events, id, k + 1)?.loss ?? NaN]);
      const { drawn, heights, lossHeights } = await drawnWith(points, losses);
      const { box, matrix, width, height } = drawn;
      const unit = (v: number, [lo, hi]: [number, number]) => (2 * (v - lo)) / (hi - lo) - 1;
      const screen = (i: number): Px => project(matrix, [unit(points[i][0], box.x), unit(points[i][1], box.y), heights[i] + LIFT], width, height);
      assert.equal(drawn.arrows.length, expected.length, 'adam: step, gradient, moment; momentum: step, gradient');
      expected.forEach((e, i) => {
        const got = drawn.arrows.find((a) => a.runId === e.runId && a.kind === e.kind);
        assert.ok(got, `${e.runId} ${e.kind} drawn`);
        const from = screen(2 * i), to = shortened(from, screen(2 * i + 1));
        assert.ok(near(got.from, from, 1e-3), `${e.runId} ${e.kind} starts at ${from}: ${got.from}`);
        assert.ok(near(got.to, to, 1e-3), `${e.runId} ${e.kind} ends at ${to}: ${got.to}`);
      });
      // The surface's height over each iterate and its next point is the height of the run's own loss there (bilinear on the 60 × 60 grid; measured within 0.004 of the box's height 1).
      const iterateHeights = [heights[0], heights[1], heights[6], heights[7]];
      iterateHeights.forEach((h, i) => assert.ok(Math.abs(h - lossHeights[i]) < 0.01, `height ${h.toFixed(4)} vs the loss's ${lossHeights[i].toFixed(4)}`));
      assert.deepEqual(drawn.ellipses.map((e) => e.runId), ['adam'], "Adam's effective step");
      // The markers are the 2-D replay's frames, projected.
      const frames = await page.evaluate(() => (window as unknown as ProbeWindow).optimizerLab.replay.frames());
      for (const f of frames) {
        const i = expected.findIndex((e) => e.runId === f.runId);
        assert.deepEqual(f.params, expected[i].from, `the 2-D replay shows ${f.runId} at step ${k}`);
        const at = drawn.markers.find((mk) => mk.runId === f.runId)?.at;
        assert.ok(at && near(at, screen(2 * i), 1e-3), `${f.runId}'s marker on the surface`);
      }
      // Pixels: the head of Adam's −lr·m arrow (12 px here; its step is 0.3 px) is in the run's colour on the overlay (palette order: adam first, blue).
      const adamStep = drawn.arrows.find((a) => a.runId === 'adam' && a.kind === 'moment');
      assert.ok(adamStep);
      const len = Math.hypot(adamStep.to[0] - adamStep.from[0], adamStep.to[1] - adamStep.from[1]);
      assert.ok(len > 8, `a visible arrow: ${len.toFixed(1)} px`);
      const inHead: Px = [adamStep.to[0] - (4 * (adamStep.to[0] - adamStep.from[0])) / len, adamStep.to[1] - (4 * (adamStep.to[1] - adamStep.from[1])) / len];
      const rgba = await page.evaluate(([x, y]) => {
        const c = document.querySelector<HTMLCanvasElement>('canvas.surface-overlay');
        const r = (c?.width ?? 1) / (c?.clientWidth ?? 1);
        return [...(c?.getContext('2d')?.getImageData(Math.round(x * r), Math.round(y * r), 1, 1).data ?? [])];
      }, inHead);
      const blue = hexRgb(themeVariables(theme)['--vscode-charts-blue']);
      assert.ok(rgba[3] > 200 && blue.every((v, i) => Math.abs(v - rgba[i]) <= 12), `adam's moment arrow head ${rgba} vs ${blue}`);
    });
  }

  it('the markers move with the 2-D replay: at every checked step, each run\'s marker is its frame projected', async () => {
    const events = runs();
    await openOnSurface('dark', events);
    for (const k of [0, 17, 63, 120]) {
      await scrubber().fill(String(k));
      await settle(page);
      const frames = await page.evaluate(() => (window as unknown as ProbeWindow).optimizerLab.replay.frames());
      const points = frames.map((f) => [f.params[0], f.params[1]] as [number, number]);
      const { drawn, heights } = await drawnWith(points, []);
      const unit = (v: number, [lo, hi]: [number, number]) => (2 * (v - lo)) / (hi - lo) - 1;
      frames.forEach((f, i) => {
        const want = project(drawn.matrix, [unit(points[i][0], drawn.box.x), unit(points[i][1], drawn.box.y), heights[i] + LIFT], drawn.width, drawn.height);
        const at = drawn.markers.find((m) => m.runId === f.runId)?.at;
        assert.ok(at && near(at, want, 1e-3), `step ${k}, ${f.runId}: ${at} vs ${want}`);
      });
      // Past the last record (k = 120) the runs show their final points and no step arrow.
      assert.equal(drawn.arrows.filter((a) => a.kind === 'step').length, k < 120 ? 2 : 0, `step arrows at ${k}`);
    }
  });

  /** The host's exportFile message, once the export finished. */
  async function exported(format: 'zip' | 'webm'): Promise<Buffer> {
    await page.waitForFunction((f) => (window as unknown as PageWindow).__posted.some((m) => m.type === 'exportFile' && m.format === f), format, { timeout: 120_000 });
    const saved = await page.evaluate((f) => (window as unknown as PageWindow).__posted.find((m) => m.type === 'exportFile' && m.format === f), format);
    assert.ok(saved?.type === 'exportFile');
    return Buffer.from(saved.content.replace(/^data:[^,]*;base64,/, ''), 'base64');
  }

  it('PNG frames record the surface while it is shown: one PNG per replay frame, the surface on the theme\'s background, not blank', async () => {
    await openOnSurface('dark', runs());
    await scrubber().fill('30');
    const lastStep = await page.evaluate(() => (window as unknown as ProbeWindow).optimizerLab.replay.lastStep);
    await card().locator('.replay button', { hasText: 'PNG frames' }).click();
    const pngs = readStoredZip(await exported('zip')).filter((e) => e.name.endsWith('.png'));
    assert.equal(pngs.length, lastStep + 1, `steps 0..${lastStep}`);
    /** Reads a frame back in the page: its size, its corner, the share of pixels unlike the corner. */
    const look = (png: Buffer) => page.evaluate(async (b64) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const c = document.createElement('canvas');
      [c.width, c.height] = [img.width, img.height];
      const ctx = c.getContext('2d');
      if (!ctx) throw new Error('no 2-D context');
      ctx.drawImage(img, 0, 0);
      const d = ctx.getImageData(0, 0, c.width, c.height).data;
      let other = 0;
      for (let i = 0; i < d.length; i += 4) if (Math.abs(d[i] - d[0]) + Math.abs(d[i + 1] - d[1]) + Math.abs(d[i + 2] - d[2]) > 30) other++;
      const surface = document.querySelector<HTMLCanvasElement>('canvas.surface-canvas');
      return { size: [c.width, c.height], surfaceSize: [surface?.width, surface?.height], corner: [...d.subarray(0, 4)], share: other / (d.length / 4) };
    }, png.toString('base64'));
    const first = await look(pngs[0].bytes);
    assert.deepEqual(first.size, first.surfaceSize, "the surface canvas's size");
    // The 2-D chart's canvas is transparent: an opaque corner in the editor's background is the surface's clear colour.
    assert.deepEqual(first.corner, [...hexRgb(themeVariables('dark')['--vscode-editor-background']), 255]);
    assert.ok(first.share > 0.15, `${(100 * first.share).toFixed(1)} % of frame 0 is surface, paths and labels`);
    assert.notDeepEqual(pngs[0].bytes, pngs[pngs.length - 1].bytes, 'the markers moved between the first and last frames');
    assert.match(await page.locator('.sr-status').innerText(), new RegExp(`replay recorded as PNG frames: ${lastStep + 1} frames`));
    assert.equal(await page.evaluate(() => (window as unknown as ProbeWindow).optimizerLab.replay.step), 30, 'back where it was');
  });

  it('WebM records the surface while it is shown (one frame per replay frame); with the contour shown, the chart', async () => {
    page = suite.page;
    // Which canvas each recording streams from: the surface's composed picture is not in the page, the chart's canvas is.
    await page.evaluate(() => {
      const w = window as unknown as { streamed: string[] };
      w.streamed = [];
      const original = HTMLCanvasElement.prototype.captureStream;
      HTMLCanvasElement.prototype.captureStream = function (this: HTMLCanvasElement, rate?: number) {
        w.streamed.push(this.isConnected ? this.className || 'chart' : `composed ${this.width}x${this.height}`);
        return original.call(this, rate);
      };
    });
    await openOnSurface('dark', runs());
    const lastStep = await page.evaluate(() => (window as unknown as ProbeWindow).optimizerLab.replay.lastStep);
    const size = await card().locator('canvas.surface-canvas').evaluate((c: HTMLCanvasElement) => `${c.width}x${c.height}`);
    await card().locator('.replay button', { hasText: 'WebM' }).click();
    const bytes = await exported('webm');
    assert.deepEqual([...bytes.subarray(0, 4)], [0x1a, 0x45, 0xdf, 0xa3], 'an EBML (WebM) file');
    assert.match(await page.locator('.sr-status').innerText(), new RegExp(`replay recorded as WebM: ${lastStep + 1} frames`));
    await card().getByRole('button', { name: 'contour', exact: true }).click();
    await page.evaluate(() => ((window as unknown as PageWindow).__posted.length = 0));
    await card().locator('.replay button', { hasText: 'WebM' }).click();
    await exported('webm');
    assert.deepEqual(await page.evaluate(() => (window as unknown as { streamed: string[] }).streamed), [`composed ${size}`, 'chart']);
  });
});
