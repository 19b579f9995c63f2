/**
 * One picture of the 3-D surface as shown: the WebGL canvas, the replay's
 * arrows over it and the axis labels (HTML in the page, text here), composed
 * on a 2-D canvas of the same size. The replay's WebM and PNG-frames exports
 * record it while the surface is shown.
 */
import type { Px } from '../replay/replayOverlay';

export interface SurfaceLabel {
  text: string;
  /** Centre in CSS pixels of the surface canvas. */
  at: Px;
  font: string;
  colour: string;
}

/** Draws `layers` (all of the target's pixel size) and the labels onto `target`. */
export function composeSurface(target: HTMLCanvasElement, layers: readonly HTMLCanvasElement[], labels: readonly SurfaceLabel[], dpr: number): void {
  const [w, h] = [layers[0]?.width ?? 1, layers[0]?.height ?? 1];
  if (target.width !== w || target.height !== h) [target.width, target.height] = [w, h];
  const ctx = target.getContext('2d');
  if (!ctx) return;
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, w, h);
  for (const layer of layers) ctx.drawImage(layer, 0, 0);
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  for (const l of labels) {
    ctx.font = l.font;
    ctx.fillStyle = l.colour;
    ctx.fillText(l.text, l.at[0], l.at[1]);
  }
}
