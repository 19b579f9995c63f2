/**
 * The webview's link to its host: VS Code's API inside the editor, or a
 * stand-in in a static report page (downloads and the clipboard done locally).
 */
import type { WebviewToHost } from '../src/protocol/webview';

export interface HostApi {
  readonly inEditor: boolean;
  post(message: WebviewToHost): void;
  getState(): unknown;
  setState(state: unknown): void;
}

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare global {
  // Provided by VS Code (and by the test harness); absent in a report page.
  function acquireVsCodeApi(): VsCodeApi;
}

export function connectHost(): HostApi {
  if (typeof acquireVsCodeApi === 'function') {
    const api = acquireVsCodeApi();
    return {
      inEditor: true,
      post: (m) => api.postMessage(m),
      getState: () => api.getState(),
      setState: (s) => api.setState(s),
    };
  }
  return reportHost();
}

const STATE_KEY = 'optimizer-lab-dashboard';

function reportHost(): HostApi {
  return {
    inEditor: false,
    post(m) {
      if (m.type === 'exportFile') download(m.suggestedName, m.format, m.content);
      else if (m.type === 'copy') void navigator.clipboard?.writeText(m.text).catch(() => undefined);
    },
    getState() {
      try {
        const raw = localStorage.getItem(STATE_KEY);
        return raw ? JSON.parse(raw) : undefined;
      } catch {
        return undefined;
      }
    },
    setState(s) {
      try {
        localStorage.setItem(STATE_KEY, JSON.stringify(s));
      } catch {
        // file:// pages may have no storage; state is a convenience only.
      }
    },
  };
}

function download(name: string, format: string, content: string): void {
  // png, webm and zip come as data: URLs already.
  const dataUrl = format === 'png' || format === 'webm' || format === 'zip';
  const href = dataUrl ? content : URL.createObjectURL(new Blob([content], { type: format === 'csv' ? 'text/csv' : 'application/json' }));
  const a = document.createElement('a');
  a.href = href;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  if (!dataUrl) setTimeout(() => URL.revokeObjectURL(href), 1000);
}
