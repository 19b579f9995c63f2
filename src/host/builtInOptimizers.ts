/**
 * The built-in optimizers as the host knows them: the catalogue the build writes to dist/optimizers.json
 * (`optlab list-optimizers --json`, derived from the registry by the runner), read once, asynchronously, and
 * validated. The host never loads TensorFlow.js, and a menu never waits for the runner process to start.
 */
import * as fs from 'node:fs';
import { optimizerCatalogSchema, parseMessage, type OptimizerInfo } from '../protocol/runner';

/** Reads and validates a catalogue file; the error names the file and what to do. */
export async function readCatalogFile(file: string): Promise<OptimizerInfo[]> {
  let text: string;
  try {
    text = await fs.promises.readFile(file, 'utf8');
  } catch (e) {
    throw new Error(`the optimizer catalogue ${file} could not be read (${(e as Error).message}); npm run build writes it`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`the optimizer catalogue ${file} is not JSON (${(e as Error).message}); npm run build writes it`);
  }
  return parseMessage(optimizerCatalogSchema, json, file);
}

export class BuiltInOptimizers {
  private list: readonly OptimizerInfo[] = [];
  /** Settles once the catalogue is read (with [] when it could not be: `onError` has said why). */
  readonly loaded: Promise<readonly OptimizerInfo[]>;

  constructor(load: () => Promise<OptimizerInfo[]>, onError: (message: string) => void = () => undefined) {
    this.loaded = load().then(
      (list) => (this.list = list),
      (e: unknown) => {
        onError((e as Error).message);
        return this.list;
      },
    );
  }

  /** Every built-in optimizer; [] until loaded. */
  get all(): readonly OptimizerInfo[] {
    return this.list;
  }

  find(id: string): OptimizerInfo | undefined {
    return this.list.find((o) => o.id === id);
  }
}
