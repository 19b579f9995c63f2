/**
 * A tiny HTTP server on 127.0.0.1 serving the dashboard exactly as the host
 * will (dashboardHtml with a strict CSP and a nonce), plus a stand-in for
 * acquireVsCodeApi that records posted messages and keeps state in
 * sessionStorage (so it survives a reload), and VS Code-like theme variables.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { dashboardHtml } from '../../../src/report/dashboardHtml';
import { themeVariables } from './themes';

export const repoRoot = path.resolve(__dirname, '../../..');
export const mediaDir = path.join(repoRoot, 'media');

export interface HarnessServer {
  url(theme?: 'dark' | 'light' | 'high-contrast'): string;
  close(): Promise<void>;
}

/** The fixtures bundle (event generator) for in-page streaming. */
function fixturesBundle(): string {
  const out = esbuild.buildSync({
    entryPoints: [path.join(__dirname, 'eventStream.ts')], bundle: true, write: false, format: 'iife',
    globalName: 'optlabFixtures', platform: 'browser', target: 'es2022',
  });
  return out.outputFiles[0].text;
}

function stub(theme: string): string {
  const vars = JSON.stringify(themeVariables(theme));
  const bodyClass = theme === 'light' ? 'vscode-light' : theme === 'high-contrast' ? 'vscode-high-contrast' : 'vscode-dark';
  return `
window.__posted = [];
window.__consoleErrors = [];
const origError = console.error;
console.error = (...a) => { window.__consoleErrors.push(a.join(' ')); origError(...a); };
window.acquireVsCodeApi = () => ({
  postMessage: (m) => window.__posted.push(m),
  getState: () => { const s = sessionStorage.getItem('vscode-state'); return s ? JSON.parse(s) : undefined; },
  setState: (s) => sessionStorage.setItem('vscode-state', JSON.stringify(s)),
});
const vars = ${vars};
for (const [k, v] of Object.entries(vars)) document.documentElement.style.setProperty(k, v);
document.addEventListener('DOMContentLoaded', () => document.body.classList.add(${JSON.stringify(bodyClass)}));
`;
}

export async function startHarness(): Promise<HarnessServer> {
  const fixtures = fixturesBundle();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    if (url.pathname === '/') {
      const nonce = Buffer.from(String(Math.random())).toString('base64');
      const theme = url.searchParams.get('theme') ?? 'dark';
      let html = dashboardHtml({ scriptUri: `${origin}/media/dashboard.js`, styleUri: `${origin}/media/dashboard.css`, cspSource: origin, nonce });
      const extra = `<script nonce="${nonce}">${stub(theme)}</script>\n<script nonce="${nonce}" src="${origin}/fixtures.js"></script>\n`;
      html = html.replace('<script nonce', `${extra}<script nonce`);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
      return;
    }
    if (url.pathname === '/fixtures.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(fixtures);
      return;
    }
    const file = path.join(mediaDir, path.basename(url.pathname));
    if (url.pathname.startsWith('/media/') && fs.existsSync(file)) {
      const type = file.endsWith('.css') ? 'text/css' : file.endsWith('.js') ? 'text/javascript' : 'application/octet-stream';
      res.writeHead(200, { 'content-type': type }).end(fs.readFileSync(file));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (theme = 'dark') => `http://127.0.0.1:${port}/?theme=${theme}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
