/**
 * The dashboard webview panel: one live instance, restored after a reload by
 * a serializer, local resources limited to media/ and dist/, a fresh CSP
 * nonce per render. Every incoming message is validated; the host's run
 * history answers each `ready` (and each return to visibility) with a snapshot.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { dashboardHtml } from '../report/dashboardHtml';
import { parseMessage } from '../protocol/runner';
import { hostToWebviewSchema, webviewToHostSchema, type HostToWebviewInput, type WebviewToHost } from '../protocol/webview';
import type { SweepViewMessage } from '../protocol/sweepView';
import type { LrFinderView } from '../protocol/lrFinder';
import type { LandscapeAsk } from '../protocol/landscapeViews';
import { isLandscapeAsk } from './landscapeAsks';

export const DASHBOARD_VIEW_TYPE = 'optimizerLab.dashboard';

export interface DashboardHost {
  snapshot(): HostToWebviewInput;
  /** A validated message from the webview (except `ready`, answered here). */
  handle(message: WebviewToHost): void;
  /** A zoomed window or a path slice (src/host/landscapeAsks.ts); without it they go to `handle`. */
  landscape?(ask: LandscapeAsk): void;
  log(message: string): void;
}

export class DashboardPanel {
  private static current?: DashboardPanel;
  /** The sweep shown in the Sweep card, sent again after every snapshot (a reload keeps it). */
  private static sweep?: SweepViewMessage;
  /** The last lr range test, for the LR finder card (re-sent like the sweep). */
  private static lrFinder?: LrFinderView;
  private readonly disposables: vscode.Disposable[] = [];

  static createOrShow(extensionUri: vscode.Uri, host: DashboardHost, preserveFocus = true): DashboardPanel {
    if (DashboardPanel.current) {
      DashboardPanel.current.panel.reveal(undefined, preserveFocus);
      return DashboardPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(
      DASHBOARD_VIEW_TYPE, 'Optimizer Lab', { viewColumn: vscode.ViewColumn.Beside, preserveFocus },
      DashboardPanel.options(extensionUri),
    );
    DashboardPanel.current = new DashboardPanel(panel, extensionUri, host);
    return DashboardPanel.current;
  }

  static revive(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, host: DashboardHost): void {
    panel.webview.options = DashboardPanel.options(extensionUri);
    DashboardPanel.current?.panel.dispose();
    DashboardPanel.current = new DashboardPanel(panel, extensionUri, host);
  }

  /** Posts to the open panel, if any (a hidden panel drops it; the snapshot on visibility catches up). */
  static post(message: HostToWebviewInput): void {
    DashboardPanel.current?.post(message);
  }

  /** The sweep the Sweep card shows (its runs open as runs by index). */
  static get shownSweep(): SweepViewMessage | undefined {
    return DashboardPanel.sweep;
  }

  /** Shows a sweep in the Sweep card now (if open) and after every later `ready`. */
  static showSweep(message: SweepViewMessage): void {
    DashboardPanel.sweep = message;
    DashboardPanel.post(message);
  }

  /** Shows an lr range test in the LR finder card now (if open) and after every later `ready`. */
  static showLrFinder(view: LrFinderView): void {
    DashboardPanel.lrFinder = view;
    DashboardPanel.post(view);
  }

  static get isOpen(): boolean {
    return DashboardPanel.current !== undefined;
  }

  static dispose(): void {
    DashboardPanel.current?.panel.dispose();
  }

  private static options(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    return {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'media'), vscode.Uri.joinPath(extensionUri, 'dist')],
    };
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly host: DashboardHost,
  ) {
    const webview = panel.webview;
    webview.html = dashboardHtml({
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'dashboard.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'dashboard.css')).toString(),
      cspSource: webview.cspSource,
      nonce: randomBytes(16).toString('base64'),
    });
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)),
      panel.onDidChangeViewState(() => {
        if (panel.visible) this.post(this.host.snapshot());
      }),
    );
  }

  private receive(raw: unknown): void {
    let message: WebviewToHost;
    try {
      message = parseMessage(webviewToHostSchema, raw, 'dashboard -> host');
    } catch (e) {
      this.host.log(`rejected a message from the dashboard: ${(e as Error).message}`);
      return;
    }
    if (message.type === 'ready') {
      this.post(this.host.snapshot());
      if (DashboardPanel.sweep) this.post(DashboardPanel.sweep);
      if (DashboardPanel.lrFinder) this.post(DashboardPanel.lrFinder);
    } else if (isLandscapeAsk(message) && this.host.landscape) this.host.landscape(message);
    else this.host.handle(message);
  }

  private post(message: HostToWebviewInput): void {
    // Validated on the way out too: a bad message is a host bug, caught here rather than half-drawn.
    const checked = parseMessage(hostToWebviewSchema, message, 'host -> dashboard');
    void this.panel.webview.postMessage(checked);
  }

  private dispose(): void {
    if (DashboardPanel.current === this) DashboardPanel.current = undefined;
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
