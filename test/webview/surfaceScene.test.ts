/** The 3-D surface's geometry and camera, in Node (webview/surface/). */
import * as assert from 'node:assert/strict';
import { DEFAULT_ORBIT, rotated, toPixels, viewProjection, zoomed, Z_TOP } from '../../webview/surface/camera';
import { rgbaOf, surfaceColours } from '../../webview/surface/surfaceColours';
import { replayMarkers, surfacePaths } from '../../webview/surface/surfacePaths';
import { drape, SURFACE_LEVELS, surfaceScene } from '../../webview/surface/surfaceScene';

const axis = (n: number, lo: number, hi: number) => Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
/** f = x² + 2y² on [−1, 1] × [0, 2] (min 0 at (0, 0), max 9 at (±1, 2)). */
function bowl(n = 21) {
  const xs = axis(n, -1, 1), ys = axis(n, 0, 2);
  return { xs, ys, values: ys.map((y) => xs.map((x) => x * x + 2 * y * y)) };
}

describe('3-D surface: geometry', () => {
  it('heights rise with the loss from the floor (the minimum) to the top (the maximum), in the unit box', () => {
    const scene = surfaceScene(bowl());
    assert.deepEqual(scene.loss, [0, 9]);
    assert.equal(scene.heightAt(0, 0), 0);
    assert.ok(Math.abs((scene.heightAt(1, 2) ?? NaN) - Z_TOP) < 1e-12);
    const along = [0, 0.25, 0.5, 0.75, 1].map((x) => scene.heightAt(x, 1) ?? NaN);
    for (let i = 1; i < along.length; i++) assert.ok(along[i] > along[i - 1], `height grows with x at y = 1: ${along.join(', ')}`);
    assert.deepEqual(scene.toModel(-1, 0), [-1, -1]);
    assert.deepEqual(scene.toModel(1, 2), [1, 1]);
    assert.deepEqual(scene.box, { x: [-1, 1], y: [0, 2] });
  });

  it('a mesh of two triangles per cell, six floats a vertex, unit normals; a hole drops its four cells', () => {
    const grid = bowl(5);
    assert.equal(surfaceScene(grid).mesh.length, 4 * 4 * 6 * 6);
    const mesh = surfaceScene(grid).mesh;
    for (let v = 0; v < mesh.length; v += 6) assert.ok(Math.abs(Math.hypot(mesh[v + 3], mesh[v + 4], mesh[v + 5]) - 1) < 1e-5);
    const holed = { ...grid, values: grid.values.map((row, j) => row.map((v, i) => (i === 2 && j === 2 ? null : v))) };
    assert.equal(surfaceScene(holed).mesh.length, (16 - 4) * 6 * 6);
    assert.equal(surfaceScene(holed).heightAt(0, 1), undefined);
  });

  it("the contour's levels become iso-lines at one height each, on the surface", () => {
    const scene = surfaceScene(bowl());
    const lines = scene.isoLines;
    assert.ok(lines.length > 0 && lines.length % 6 === 0);
    const heights = new Set<string>();
    for (let k = 0; k < lines.length; k += 3) heights.add(lines[k + 2].toFixed(5));
    assert.ok(heights.size <= SURFACE_LEVELS && heights.size >= SURFACE_LEVELS - 2, `${heights.size} levels`);
  });

  it('a path is draped over the surface, subdivided, and broken where it leaves the grid', () => {
    const scene = surfaceScene(bowl());
    const [inside] = drape(scene, [{ x: -0.5, y: 0.5 }, { x: 0.5, y: 0.5 }], 20, 0);
    assert.ok(inside.length > 2, 'subdivided to follow the surface');
    for (const [mx, my, z] of inside) {
      const x = mx, y = (my + 1);
      assert.ok(Math.abs(z - (scene.heightAt(x, y) ?? NaN)) < 1e-6, 'on the surface');
    }
    const broken = drape(scene, [{ x: 0, y: 0.5 }, { x: 0.2, y: 0.5 }, { x: 5, y: 5 }, { x: 0.3, y: 1 }, { x: 0.4, y: 1 }], 20);
    assert.equal(broken.length, 2, 'two pieces around the point off the grid');
  });

  it("paths keep their series' colours; markers sit at the replay's iterate; point-only series become markers", () => {
    const scene = surfaceScene(bowl());
    const blue = rgbaOf('#3794ff');
    const colourOf = (c: string) => rgbaOf(c);
    const series = [
      { runId: 'a', style: { color: '#3794ff', width: 1.5 }, points: [{ x: 0, y: 1 }, { x: 0.5, y: 1 }] },
      { runId: 'b', style: { color: 'rgba(209, 134, 22, 0.5)', width: 0, pointRadius: 4, showLine: false }, points: [{ x: 0, y: 0 }] },
    ];
    const [a, b] = surfacePaths(series, scene, 20, colourOf);
    assert.deepEqual(a.colour, blue);
    assert.ok(a.width > 0 && a.lines.length === 1);
    assert.deepEqual(b.colour, [209 / 255, 134 / 255, 22 / 255, 0.5]);
    assert.equal(b.width, 0);
    assert.equal(b.points.length, 1);
    const [m] = replayMarkers([{ runId: 'a', params: [0.5, 1] }], series, scene, colourOf);
    assert.deepEqual(m.colour, blue);
    assert.deepEqual(m.at.slice(0, 2), [0.5, 0]);
    assert.ok(m.at[2] > (scene.heightAt(0.5, 1) ?? NaN));
  });

  it("the surface's colours come from the theme", () => {
    const theme = { fg: '#ffffff', muted: '#808080', grid: 'rgba(255, 255, 255, 0.2)', bg: '#000000', font: 'x', highContrast: false, palette: ['#0000ff'] };
    const c = surfaceColours(theme);
    assert.deepEqual(c.bg, [0, 0, 0, 1]);
    assert.ok(c.low[2] > 0.5 && c.low[0] === 0, 'valleys in the first run colour');
    assert.ok(c.high[0] > 0.3 && c.high[0] === c.high[2], 'tops toward the muted grey');
  });

  it('the camera: a drag turns, the wheel zooms within bounds, the box projects inside the canvas', () => {
    const turned = rotated(DEFAULT_ORBIT, 100, 0, 400);
    assert.ok(turned.yaw !== DEFAULT_ORBIT.yaw && turned.pitch === DEFAULT_ORBIT.pitch);
    assert.ok(rotated(DEFAULT_ORBIT, 0, 1e6, 400).pitch < Math.PI / 2, 'never over the top');
    assert.ok(zoomed(DEFAULT_ORBIT, -1).distance < DEFAULT_ORBIT.distance);
    assert.ok(zoomed(DEFAULT_ORBIT, -100).distance > 1, 'never inside the box');
    const m = viewProjection(DEFAULT_ORBIT, 2);
    for (const corner of [[-1, -1, 0], [1, 1, 0], [1, -1, Z_TOP], [-1, 1, Z_TOP]] as const) {
      const px = toPixels(m, [...corner], 800, 400);
      assert.ok(px && px[0] > 0 && px[0] < 800 && px[1] > 0 && px[1] < 400, `corner ${corner.join(',')} at ${px?.join(',')}`);
    }
  });
});
