/**
 * The replay as PNG frames in one zip: the same steps the WebM shows
 * (videoSteps), each drawn on the trajectory chart's canvas (or the 3-D
 * surface's picture while it is shown) and saved as it is, with frames.csv saying which step each frame shows.
 */
import { storedZip, type ZipEntry } from '../exports/storedZip';
import type { Replay } from './replay';
import type { FrameCanvas } from './frameCanvas';
import { videoSteps, WEBM_MAX_FRAMES } from './replayExport';

/** `frame-0007.png`: zero-padded so the files sort in replay order. */
export function frameName(i: number): string {
  return `frame-${String(i).padStart(4, '0')}.png`;
}

function pngBytes(canvas: HTMLCanvasElement): Uint8Array {
  const base64 = canvas.toDataURL('image/png').replace(/^data:[^,]*,/, '');
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Seeks the replay through its frames (drawing synchronously), then back to where it was. */
export function recordPngFrames(replay: Replay, from: FrameCanvas, max = WEBM_MAX_FRAMES): { zip: Uint8Array<ArrayBuffer>; frames: number } {
  const wasAt = replay.step;
  const steps = videoSteps(replay.lastStep, max);
  const entries: ZipEntry[] = [];
  const index = ['frame,step,file'];
  try {
    steps.forEach((k, i) => {
      replay.seek(k);
      from.render();
      entries.push({ name: frameName(i), bytes: pngBytes(from.canvas) });
      index.push(`${i},${k},${frameName(i)}`);
    });
  } finally {
    replay.seek(wasAt);
  }
  entries.push({ name: 'frames.csv', bytes: new TextEncoder().encode(`${index.join('\n')}\n`) });
  return { zip: storedZip(entries), frames: steps.length };
}
