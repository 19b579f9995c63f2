/**
 * The optimizer catalogue the dashboard gets from the host: dist/optimizers.json, which the build derives from
 * the registry (npm run test:webview builds first). Tests pick entries from it instead of writing their own.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { optimizerCatalogSchema, type OptimizerInfo } from '../../../src/protocol/runner';

const file = path.join(__dirname, '..', '..', '..', 'dist', 'optimizers.json');

let cached: OptimizerInfo[] | undefined;

/** Every built-in optimizer, as the host would send it. */
export function catalogue(): OptimizerInfo[] {
  if (!cached) {
    if (!fs.existsSync(file)) throw new Error(`${file} is missing: npm run build writes it (npm run test:webview builds first)`);
    cached = optimizerCatalogSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
  }
  return cached;
}

/** The named built-ins, in the order given. */
export function builtIns(...ids: string[]): OptimizerInfo[] {
  return ids.map((id) => {
    const found = catalogue().find((o) => o.id === id);
    if (!found) throw new Error(`no built-in optimizer '${id}' in dist/optimizers.json`);
    return found;
  });
}
