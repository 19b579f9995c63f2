/**
 * The surface's colours, all from the theme the 2-D charts use (theme.ts):
 * the background, the first run colour for the valleys as the contour's
 * shading has it, the muted text colour for the heights, the grid colour for
 * the box, the foreground for the iso-lines. Paths keep their series' colours.
 */
import type { Theme } from '../theme';
import type { Rgba, SurfaceColours } from './surfaceGl';

/** Any CSS colour as 0–1 floats; `resolve` turns other notations (named colours, hsl()) into rgb() or #hex. */
export function rgbaOf(colour: string, resolve: (c: string) => string = (c) => c): Rgba {
  const parsed = parse(colour.trim()) ?? parse(resolve(colour).trim());
  return parsed ?? [0.5, 0.5, 0.5, 1];
}

function parse(c: string): Rgba | undefined {
  const hex = /^#([0-9a-f]{3,8})$/i.exec(c);
  if (hex) {
    let h = hex[1];
    if (h.length === 3 || h.length === 4) h = [...h].map((d) => d + d).join('');
    if (h.length !== 6 && h.length !== 8) return undefined;
    const byte = (i: number) => parseInt(h.slice(i, i + 2), 16) / 255;
    return [byte(0), byte(2), byte(4), h.length === 8 ? byte(6) : 1];
  }
  const rgb = /^rgba?\(([^)]+)\)$/i.exec(c);
  if (!rgb) return undefined;
  const parts = rgb[1].split(/[\s,/]+/).filter((p) => p !== '');
  if (parts.length < 3) return undefined;
  const channel = (p: string) => (p.endsWith('%') ? Number(p.slice(0, -1)) / 100 : Number(p) / 255);
  const alpha = parts[3] === undefined ? 1 : parts[3].endsWith('%') ? Number(parts[3].slice(0, -1)) / 100 : Number(parts[3]);
  const out: Rgba = [channel(parts[0]), channel(parts[1]), channel(parts[2]), alpha];
  return out.every(Number.isFinite) ? out : undefined;
}

/** `a` blended over `b` by t (alpha of the result 1). */
export function mix(b: Rgba, a: Rgba, t: number): Rgba {
  return [b[0] + (a[0] - b[0]) * t, b[1] + (a[1] - b[1]) * t, b[2] + (a[2] - b[2]) * t, 1];
}

export function surfaceColours(theme: Theme, resolve?: (c: string) => string): SurfaceColours {
  const of = (c: string) => rgbaOf(c, resolve);
  const bg = of(theme.bg);
  const fg = of(theme.fg);
  const muted = of(theme.muted);
  const grid = of(theme.grid);
  return {
    bg,
    // Valleys in the first run colour as the contour's shading has them, tops toward the muted text colour.
    low: mix(bg, of(theme.palette[0] ?? theme.fg), theme.highContrast ? 0.75 : 0.6),
    high: mix(bg, muted, theme.highContrast ? 0.85 : 0.7),
    iso: [fg[0], fg[1], fg[2], theme.highContrast ? 0.5 : 0.3],
    frame: [grid[0], grid[1], grid[2], Math.max(grid[3], 0.5)],
    ring: fg,
  };
}
