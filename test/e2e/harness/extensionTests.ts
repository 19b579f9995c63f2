import { format } from 'node:util';
import type { Browser, ConsoleMessage } from 'playwright-core';
import type { CodeServer } from './codeServer';

export interface ExtensionTestOptions {
  /** Folder of the extension under development (its package.json). */
  extensionDevelopmentPath: string;
  /** Module exporting `run(): Promise<void>`, loaded in the extension host. */
  extensionTestsPath: string;
  /** Workspace folder to open. */
  folder: string;
  timeoutMs?: number;
}

export interface ExtensionTestResult {
  /** 0 when `run()` resolved, non-zero when it rejected. */
  exitCode: number;
  /** Console lines of the window, the extension host's console.log included. */
  output: string[];
}

/**
 * Runs an extension test suite inside code-server's Node extension host, the way
 * VS Code's browser integration tests do: the workbench URL carries the development
 * extension and the tests module in its `payload`, and the workbench reports the
 * suite's outcome by calling `window.codeAutomationExit(code)`.
 */
export async function runExtensionTests(
  browser: Browser,
  server: CodeServer,
  options: ExtensionTestOptions,
): Promise<ExtensionTestResult> {
  const remote = (p: string): string => `vscode-remote://127.0.0.1:${server.port}${p}`;
  const payload = JSON.stringify([
    ['extensionDevelopmentPath', remote(options.extensionDevelopmentPath)],
    ['extensionTestsPath', remote(options.extensionTestsPath)],
  ]);
  const url = `${server.url}/?folder=${encodeURIComponent(remote(options.folder))}&payload=${encodeURIComponent(payload)}`;

  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const lines: Promise<string>[] = [];
    page.on('console', (message) => lines.push(consoleLine(message)));
    let resolveExit: (code: number) => void = () => undefined;
    const exited = new Promise<number>((resolve) => (resolveExit = resolve));
    await page.exposeFunction('codeAutomationExit', (code: number) => resolveExit(code));
    const timeoutMs = options.timeoutMs ?? 120_000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        void Promise.all(lines).then((output) =>
          reject(new Error(`extension tests did not finish within ${timeoutMs} ms:\n${output.join('\n')}`)),
        );
      }, timeoutMs);
    });
    await page.goto(url);
    try {
      const exitCode = await Promise.race([exited, timedOut]);
      return { exitCode, output: await Promise.all(lines) };
    } finally {
      clearTimeout(timer);
    }
  } finally {
    await context.close();
  }
}

/**
 * The workbench forwards the extension host's console as
 * console.log('%c INFO', 'color: …', ...originalArgs): format the original arguments.
 */
async function consoleLine(message: ConsoleMessage): Promise<string> {
  try {
    const values: unknown[] = await Promise.all(message.args().map((arg) => arg.jsonValue()));
    if (typeof values[0] === 'string' && values[0].startsWith('%c')) return format(...values.slice(2));
    return format(...values);
  } catch {
    // Arguments that cannot be serialised (the page may already be gone).
    return message.text();
  }
}
