/**
 * The dashboard page, for the VS Code webview (scripts and styles by URI) and
 * for the static report (inlined). A strict Content-Security-Policy: nothing
 * but the bundle runs and nothing is fetched from the network. No vscode
 * import here: the host passes `webview.cspSource` and `asWebviewUri` results.
 */

export interface DashboardHtmlOptions {
  scriptUri: string;
  styleUri: string;
  /** `webview.cspSource` */
  cspSource: string;
  /** A fresh random nonce per render (base64 or hex, no quotes). */
  nonce: string;
  title?: string;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

export function dashboardHtml(o: DashboardHtmlOptions): string {
  const csp = [
    "default-src 'none'",
    `style-src ${o.cspSource}`,
    `img-src ${o.cspSource} data:`,
    `font-src ${o.cspSource}`,
    `script-src 'nonce-${o.nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(o.title ?? 'Optimizer Lab')}</title>
<link rel="stylesheet" href="${escapeHtml(o.styleUri)}">
</head>
<body>
<div id="app"></div>
<script nonce="${escapeHtml(o.nonce)}" src="${escapeHtml(o.scriptUri)}"></script>
</body>
</html>
`;
}
