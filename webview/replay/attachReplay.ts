/**
 * Puts a replay on the trajectory card with its export buttons. Apart from replay.ts so that the
 * exporters, which drive a Replay, are not imported by it (they were a circle of imports).
 */
import type { Chart } from 'chart.js';
import type { RunSnapshot } from '../../src/protocol/webview';
import type { Theme } from '../theme';
import { Replay } from './replay';
import type { ReplayOverlay } from './replayOverlay';
import { type SaveReplay, wireReplayExports } from './replayExportButtons';

export type { Replay } from './replay';

/** Puts a replay on the trajectory card: its mode comes from the card, its runs are those with a drawn path. */
export function attachReplay(
  card: { root: HTMLElement; note: HTMLElement },
  from: { chart(): Chart; runs(): { run: RunSnapshot; colour: string }[]; theme(): Theme; save?: SaveReplay; say?(text: string): void },
): Replay {
  const modeOf = (): ReplayOverlay['mode'] | undefined => {
    const mode = card.root.dataset.mode;
    return mode === 'contour' ? 'plane' : mode === 'curve' ? 'curve' : undefined;
  };
  const dims = { plane: 2, curve: 1 } as const;
  const replay = new Replay({
    chart: from.chart, theme: from.theme, mode: modeOf,
    runs: () => {
      const mode = modeOf();
      return mode ? from.runs().filter(({ run }) => run.meta?.paramCount === dims[mode]) : [];
    },
  });
  card.root.insertBefore(replay.controls, card.note);
  if (from.save) wireReplayExports(replay, { chart: from.chart, save: from.save, say: from.say });
  return replay;
}
