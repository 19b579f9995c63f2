/**
 * The replay as a WebM video, recorded from the trajectory chart's canvas
 * (or the 3-D surface's picture while it is shown) with MediaRecorder (in the webview; nothing leaves it but the file the
 * host saves). One video frame per replay frame: the replay seeks, the
 * chart draws synchronously, and the canvas track is asked for exactly that
 * frame (captureStream(0) + requestFrame), so the frame count is known.
 */
import type { FrameCanvas } from './frameCanvas';
import type { Replay } from './replay';

/** At most this many frames (long runs are sampled evenly). */
export const WEBM_MAX_FRAMES = 300;
const FPS = 30;

/** The replay steps a video shows: 0 … end, evenly thinned to at most `max`. */
export function videoSteps(end: number, max = WEBM_MAX_FRAMES): number[] {
  const count = Math.min(end + 1, max);
  if (count <= 1) return [0];
  return Array.from({ length: count }, (_, i) => Math.round((i * end) / (count - 1)));
}

type CanvasTrack = MediaStreamTrack & { requestFrame?: () => void };

export async function recordWebm(replay: Replay, from: FrameCanvas, max = WEBM_MAX_FRAMES): Promise<{ blob: Blob; frames: number }> {
  if (typeof MediaRecorder === 'undefined') throw new Error('this webview cannot record video (no MediaRecorder)');
  from.render();
  const stream = from.canvas.captureStream(0);
  const track = stream.getVideoTracks()[0] as CanvasTrack;
  const type = ['video/webm;codecs=vp9', 'video/webm;codecs=vp8', 'video/webm'].find((t) => MediaRecorder.isTypeSupported(t));
  if (!type) throw new Error('this webview cannot record WebM');
  const recorder = new MediaRecorder(stream, { mimeType: type });
  const chunks: Blob[] = [];
  recorder.ondataavailable = (e) => {
    if (e.data.size > 0) chunks.push(e.data);
  };
  const stopped = new Promise<void>((resolve) => (recorder.onstop = () => resolve()));
  const wasAt = replay.step;
  const steps = videoSteps(replay.lastStep, max);
  recorder.start();
  for (const k of steps) {
    replay.seek(k);
    from.render();
    track.requestFrame?.();
    await new Promise((resolve) => setTimeout(resolve, 1000 / FPS));
  }
  recorder.stop();
  await stopped;
  track.stop();
  replay.seek(wasAt);
  return { blob: new Blob(chunks, { type: 'video/webm' }), frames: steps.length };
}

export function dataUrlOf(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error ?? new Error('could not read the video'));
    reader.readAsDataURL(blob);
  });
}
