/**
 * The objectives, rules and schedules of file texts, found by the discovery worker: one
 * request per distinct text (recent texts are remembered, so the lenses, the catalogue and
 * live mode asking about the same edit cost one parse). No vscode here.
 */
import { Worker } from 'node:worker_threads';
import { discoveryReplySchema, type DiscoveryRequest } from './discoveryMessages';
import type { SourceSites } from './sites';

/** How texts become sites: the worker in the extension, findSites directly in tests. */
export interface SiteParser {
  parse(text: string): Promise<SourceSites>;
  dispose(): void;
}

/** Texts remembered: the open editors' current and previous versions, and the scanned files. */
const REMEMBERED = 256;

export class SourceIndex {
  private readonly recent = new Map<string, Promise<SourceSites>>();

  constructor(private readonly parser: SiteParser) {}

  sites(text: string): Promise<SourceSites> {
    const known = this.recent.get(text);
    if (known) {
      // Most recently used last, so the oldest is the first key.
      this.recent.delete(text);
      this.recent.set(text, known);
      return known;
    }
    const parsed = this.parser.parse(text);
    this.recent.set(text, parsed);
    // A failed parse is not remembered: the next ask tries again.
    parsed.catch(() => this.recent.delete(text));
    if (this.recent.size > REMEMBERED) this.recent.delete(this.recent.keys().next().value as string);
    return parsed;
  }

  dispose(): void {
    this.parser.dispose();
  }
}

/** The worker started on first use and again after it dies; pending asks fail with its error. */
export function workerParser(workerFile: string): SiteParser {
  let worker: Worker | undefined;
  let nextId = 0;
  const pending = new Map<number, { resolve: (s: SourceSites) => void; reject: (e: Error) => void }>();
  const failAll = (error: Error): void => {
    for (const p of pending.values()) p.reject(error);
    pending.clear();
    worker = undefined;
  };
  const start = (): Worker => {
    const w = new Worker(workerFile);
    w.on('message', (message: unknown) => {
      const reply = discoveryReplySchema.safeParse(message);
      if (!reply.success) return failAll(new Error(`discovery worker: malformed reply (${reply.error.message})`));
      const waiting = pending.get(reply.data.id);
      pending.delete(reply.data.id);
      if (pending.size === 0) w.unref();
      if ('sites' in reply.data) waiting?.resolve(reply.data.sites);
      else waiting?.reject(new Error(`discovery worker: ${reply.data.error}`));
    });
    w.on('error', (e) => failAll(e));
    w.on('exit', (code) => { if (worker === w) failAll(new Error(`discovery worker exited (code ${code})`)); });
    return w;
  };
  return {
    parse(text) {
      worker ??= start();
      // Referenced while an answer is awaited; an idle worker does not keep a process alive.
      worker.ref();
      const id = nextId++;
      const request: DiscoveryRequest = { id, text };
      return new Promise<SourceSites>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker?.postMessage(request);
      });
    },
    dispose() {
      const w = worker;
      worker = undefined;
      failAll(new Error('discovery worker stopped'));
      void w?.terminate();
    },
  };
}

/** Parses in this thread (tests, and callers that already hold TypeScript). */
export function inProcessParser(find: (text: string) => SourceSites): SiteParser {
  return { parse: async (text) => find(text), dispose: () => undefined };
}
