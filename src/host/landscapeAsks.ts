/**
 * The dashboard's landscape requests (src/protocol/landscapeViews.ts), passed
 * to the runner with what it needs: a zoomed window gets the run's objective
 * (file, the text it ran on, name, seed), a path slice names runs only (the
 * runner recorded their paths). Only the answer to the page's latest request
 * of each kind is posted; an older one is dropped (the runner cancels it too).
 * No vscode here: tests drive it with a fake runner.
 */
import type { InterpolationAnswer } from '../protocol/interpolation';
import type { LandscapeAsk, SliceShown, WindowShown } from '../protocol/landscapeViews';
import type { LandscapeAnswer, LandscapeAsk as RunnerAsk } from '../runner/client';
import type { RunSnapshot } from '../protocol/webview';

export interface LandscapePort {
  landscape(ask: RunnerAsk): Promise<LandscapeAnswer>;
}

export interface LandscapeAskContext {
  runner: LandscapePort;
  /** A run the dashboard shows, and the unsaved text it ran on (if any). */
  run(runId: string): { snapshot: RunSnapshot; text?: string } | undefined;
  post(message: WindowShown | SliceShown | InterpolationAnswer): void;
}

export function isLandscapeAsk(m: { type: string }): m is LandscapeAsk {
  return m.type === 'landscapeWindow' || m.type === 'pathSlice' || m.type === 'interpolation';
}

export class LandscapeAsks {
  private readonly latest = new Map<LandscapeAsk['type'], string>();

  constructor(private readonly ctx: LandscapeAskContext) {}

  async handle(ask: LandscapeAsk): Promise<void> {
    this.latest.set(ask.type, ask.requestId);
    const fresh = (): boolean => this.latest.get(ask.type) === ask.requestId;
    if (ask.type === 'pathSlice') {
      const answer = await this.ctx.runner.landscape({ type: 'pathSlice', method: ask.method, runIds: ask.runIds, ...(ask.box ? { box: ask.box } : {}) });
      const slice = answer.type === 'pathSlice' ? answer.slice : undefined;
      if (fresh()) this.ctx.post({ type: 'pathSlice', requestId: ask.requestId, ...(slice ? { slice } : { warning: answer.warning ?? 'no slice' }) });
      return;
    }
    if (ask.type === 'interpolation') {
      const answer = await this.ctx.runner.landscape({ type: 'interpolation', runIds: ask.runIds });
      const profile = answer.type === 'interpolation' ? answer.profile : undefined;
      if (fresh()) this.ctx.post({ type: 'interpolation', requestId: ask.requestId, ...(profile ? { profile } : { warning: answer.warning ?? 'no interpolation' }) });
      return;
    }
    const shown = this.ctx.run(ask.runId);
    const meta = shown?.snapshot.meta;
    const file = shown?.snapshot.file;
    if (!shown || !meta || file === undefined) {
      this.ctx.post({ type: 'landscapeWindow', requestId: ask.requestId, runId: ask.runId, warning: `landscape not drawn: run ${ask.runId} is not shown` });
      return;
    }
    const answer = await this.ctx.runner.landscape({
      type: 'landscapeWindow', file, objective: meta.objective, seed: meta.seed, box: ask.box, ...(meta.maximize === true ? { maximize: true } : {}),
      ...(shown.text !== undefined ? { text: shown.text } : {}),
    });
    const grid = answer.type === 'landscapeWindow' ? answer.grid : undefined;
    if (fresh()) this.ctx.post({ type: 'landscapeWindow', requestId: ask.requestId, runId: ask.runId, ...(grid ? { grid } : { warning: answer.warning ?? 'no grid' }) });
  }
}
