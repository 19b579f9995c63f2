/**
 * A self-contained HTML report: the dashboard bundle and its styles inlined,
 * the runs embedded as a snapshot, no network (the CSP forbids it). Used by
 * `optlab run ... --report out.html` and `npm start`.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type HostToWebviewInput, type OptimizerOption, REPORT_DATA_ID, type RunSnapshot } from '../protocol/webview';
import { escapeHtml } from './dashboardHtml';

export interface ReportOptions {
  title?: string;
  /** Runs of the previous version, drawn faded. */
  ghosts?: RunSnapshot[];
  /** The optimizer catalogue, for the torch snippet's class names and references (without it the snippet says so). */
  optimizers?: OptimizerOption[];
  /** Folder holding dashboard.js and dashboard.css (default: the package's media/). */
  mediaDir?: string;
}

/** media/ of this package: next to dist/ in a bundle, two levels up from src/report in tests. */
export function findMediaDir(start: string = __dirname): string {
  let dir = start;
  for (let i = 0; i < 5; i++) {
    const candidate = path.join(dir, 'media');
    if (fs.existsSync(path.join(candidate, 'dashboard.js'))) return candidate;
    dir = path.dirname(dir);
  }
  throw new Error(`dashboard bundle not found (media/dashboard.js above ${start}): run the build first`);
}

/** Inline text inside <script>/<style> must not close the element early. */
function inlineSafe(text: string): string {
  return text.replace(/<\/(script|style)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

export function renderReport(runs: readonly RunSnapshot[], options: ReportOptions = {}): string {
  const media = options.mediaDir ?? findMediaDir();
  const js = fs.readFileSync(path.join(media, 'dashboard.js'), 'utf8').replace(/\n\/\/# sourceMappingURL=.*$/m, '');
  const css = fs.readFileSync(path.join(media, 'dashboard.css'), 'utf8').replace(/\/\*# sourceMappingURL=.*?\*\//g, '');
  const snapshot: HostToWebviewInput = {
    type: 'snapshot', version: 1, runs: [...runs], ghosts: options.ghosts ?? [], banner: null,
    optimizers: options.optimizers, interactive: false,
  };
  const nonce = randomBytes(16).toString('base64');
  const csp = `default-src 'none'; style-src 'nonce-${nonce}'; img-src data: blob:; script-src 'nonce-${nonce}'`;
  // JSON in a non-executed script element; '<' escaped so no tag can end it.
  const data = JSON.stringify(snapshot).replace(/</g, '\\u003c');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(options.title ?? 'Optimizer Lab report')}</title>
<style nonce="${nonce}">${inlineSafe(css)}</style>
</head>
<body>
<div id="app"></div>
<script type="application/json" id="${REPORT_DATA_ID}">${data}</script>
<script nonce="${nonce}">${inlineSafe(js)}</script>
</body>
</html>
`;
}
