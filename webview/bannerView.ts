/** The error banner: compile or runtime error with file:line, or nothing. */
import type { Banner } from '../src/protocol/webview';

export function renderBanner(host: HTMLElement, banner: Banner | null): void {
  host.replaceChildren();
  host.hidden = banner === null;
  host.className = banner ? `banner banner-${banner.severity}` : 'banner';
  if (!banner) return;
  const where = banner.file ? `${banner.file}${banner.line ? `:${banner.line}${banner.column ? `:${banner.column}` : ''}` : ''}` : '';
  const strong = document.createElement('strong');
  strong.textContent = banner.severity === 'error' ? 'Error' : banner.severity === 'warning' ? 'Warning' : 'Note';
  host.append(strong, ' ');
  if (where) {
    const code = document.createElement('code');
    code.textContent = where;
    host.append(code, ' ');
  }
  const msg = document.createElement('span');
  msg.textContent = banner.message;
  host.append(msg);
}
