/**
 * The replay's WebM and PNG-frames buttons: each records the replay from the
 * trajectory chart's canvas (the 3-D surface while it is shown) and hands the file to the host to save (the
 * report page downloads it), then says how many frames it holds.
 */
import type { Chart } from 'chart.js';
import type { Replay } from './replay';
import { dataUrlOf, recordWebm } from './replayExport';
import { recordPngFrames } from './replayPngFrames';

/** Saves a data: URL under a suggested name, in the format the host is told. */
export type SaveReplay = (dataUrl: string, name: string, format: 'webm' | 'zip') => void;

interface ExportTarget {
  chart(): Chart;
  save: SaveReplay;
  say?(text: string): void;
}

/** Runs one export with its button disabled; failures are said, not thrown. */
function exporting(button: HTMLButtonElement, to: ExportTarget, what: string, work: () => Promise<number>): void {
  button.disabled = true;
  to.say?.(`recording the replay as ${what}…`);
  work()
    .then((frames) => to.say?.(`replay recorded as ${what}: ${frames} frames`),
      (e: unknown) => to.say?.(`could not record the replay: ${e instanceof Error ? e.message : String(e)}`))
    .finally(() => (button.disabled = false));
}

export function wireReplayExports(replay: Replay, to: ExportTarget): void {
  replay.webm.hidden = false;
  replay.pngFrames.hidden = false;
  replay.webm.addEventListener('click', () => {
    replay.pause();
    exporting(replay.webm, to, 'WebM', async () => {
      const { blob, frames } = await recordWebm(replay, replay.frameCanvas(to.chart()));
      to.save(await dataUrlOf(blob), 'trajectory-replay.webm', 'webm');
      return frames;
    });
  });
  replay.pngFrames.addEventListener('click', () => {
    replay.pause();
    exporting(replay.pngFrames, to, 'PNG frames', async () => {
      const { zip, frames } = recordPngFrames(replay, replay.frameCanvas(to.chart()));
      to.save(await dataUrlOf(new Blob([zip], { type: 'application/zip' })), 'trajectory-replay-frames.zip', 'zip');
      return frames;
    });
  });
}
