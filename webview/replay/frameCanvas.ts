/** What a replay export records: a canvas, and how to bring it up to date after a seek (the 2-D chart draws during the seek itself). */
export interface FrameCanvas {
  canvas: HTMLCanvasElement;
  render(): void;
}
