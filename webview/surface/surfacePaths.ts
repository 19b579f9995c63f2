/**
 * The trajectory card's 2-D series laid on the surface: each keeps its
 * colour, width and markers (a path, a slice's projected path, the initial or
 * final point), so the 3-D view has the same runs in the same colours as the
 * contour. Replay frames become markers on the surface.
 */
import type { Point, SeriesStyle } from '../charts/series';
import type { GlMarker, GlPath, Rgba } from './surfaceGl';
import { drape, type SurfaceScene } from './surfaceScene';

/** A series of the card as the chart drew it: its run, its style, its points (x, y in the grid's coordinates). */
export interface SurfaceSeries {
  runId: string;
  style: SeriesStyle;
  points: readonly Point[];
}

/** Paths at least this wide in 3-D (a 1-pixel line is lost on a shaded surface). */
const MIN_WIDTH = 2.5;

export function surfacePaths(series: readonly SurfaceSeries[], scene: SurfaceScene, cells: number, colourOf: (css: string) => Rgba): GlPath[] {
  return series.map((s) => {
    const colour = colourOf(s.style.color);
    const line = s.style.showLine !== false && s.style.width > 0;
    const lines = line ? drape(scene, s.points, cells) : [];
    const radius = s.style.pointRadius ?? 0;
    const marked = line ? (radius >= 4 ? s.points : []) : s.points;
    const points = marked.flatMap((p) => drape(scene, [p], cells).flat());
    return { colour, width: line ? Math.max(MIN_WIDTH, s.style.width + 1) : 0, pointRadius: Math.max(radius, line ? 0 : 4), lines, points };
  });
}

/** Each replay frame's iterate on the surface, in its run's colour (the colour of the run's first series). */
export function replayMarkers(
  frames: readonly { runId: string; params: readonly number[] }[], series: readonly SurfaceSeries[], scene: SurfaceScene, colourOf: (css: string) => Rgba,
): GlMarker[] {
  return frames.flatMap((f) => {
    const [x, y] = f.params;
    const h = x === undefined || y === undefined ? undefined : scene.heightAt(x, y);
    const s = series.find((c) => c.runId === f.runId);
    if (h === undefined || !s) return [];
    return [{ at: [...scene.toModel(x, y), h + 0.02], colour: colourOf(s.style.color) }];
  });
}
