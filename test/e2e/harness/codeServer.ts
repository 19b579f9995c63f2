import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from './freePort';

const repoRoot = path.resolve(__dirname, '../../..');

export interface CodeServer {
  readonly url: string;
  readonly port: number;
  /** Process group of the server and everything it started. */
  readonly pgid: number;
  /** Temporary home of this instance: user data, extensions, config, logs. */
  readonly dir: string;
  /** The workbench URL that opens `folder`. */
  folderUrl(folder: string): string;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** .vsix files installed into this instance's fresh extensions dir before it starts. */
  extensions?: readonly string[];
  /** User settings written to settings.json. */
  settings?: Record<string, unknown>;
  /** Milliseconds to wait for the server to answer. */
  timeoutMs?: number;
}

let cachedExecutable: string | undefined;

/** Runs the project's idempotent installer and returns code-server's entry script. */
export function codeServerExecutable(): string {
  if (cachedExecutable) return cachedExecutable;
  const out = execFileSync('bash', [path.join(repoRoot, 'scripts/install-code-server.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = out.trim().split('\n');
  cachedExecutable = lines[lines.length - 1];
  return cachedExecutable;
}

// Every live instance with its temp dir, so an abrupt end of the test process still
// kills the servers and removes their dirs.
const live = new Map<ChildProcess, string>();
function killAllNow(): void {
  for (const [child, dir] of live) {
    killGroup(child, 'SIGKILL');
    if (!process.env.OPTLAB_E2E_KEEP) fs.rmSync(dir, { recursive: true, force: true });
  }
  live.clear();
}
process.on('exit', killAllNow);
// A detached group does not get the signals sent to ours: pass them on, then die of them.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    killAllNow();
    process.kill(process.pid, signal);
  });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    // Negative pid: the whole process group (server, extension host, file watcher, ptys' parents).
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

/** Environment that keeps code-server out of the user's own config and data dirs. */
function isolatedEnv(dir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) {
    // Variables of a surrounding VS Code would make code-server talk to it.
    if (key.startsWith('VSCODE_')) delete env[key];
  }
  return {
    ...env,
    XDG_CONFIG_HOME: path.join(dir, 'xdg-config'),
    XDG_DATA_HOME: path.join(dir, 'xdg-data'),
    XDG_CACHE_HOME: path.join(dir, 'xdg-cache'),
    // No extension gallery: tests install .vsix files and must not reach for a marketplace.
    EXTENSIONS_GALLERY: '{}',
  };
}

function commonArgs(dir: string): string[] {
  return [
    '--config', path.join(dir, 'config.yaml'),
    '--user-data-dir', path.join(dir, 'user-data'),
    '--extensions-dir', path.join(dir, 'extensions'),
  ];
}

export function installExtensions(executable: string, dir: string, vsixes: readonly string[]): void {
  if (vsixes.length === 0) return;
  const args = [...commonArgs(dir), ...vsixes.flatMap((v) => ['--install-extension', v]), '--force'];
  const out = execFileSync(process.execPath, [executable, ...args], {
    encoding: 'utf8',
    env: isolatedEnv(dir),
    timeout: 60_000,
  });
  const ok = out.match(/successfully installed/g)?.length ?? 0;
  if (ok !== vsixes.length) throw new Error(`extension install failed:\n${out}`);
}

async function waitForHealth(url: string, child: ChildProcess, logFile: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`code-server exited early (${child.exitCode ?? child.signalCode}); log:\n${fs.readFileSync(logFile, 'utf8')}`);
    }
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`code-server did not answer within ${timeoutMs} ms; log:\n${fs.readFileSync(logFile, 'utf8')}`);
}

export async function startCodeServer(options: StartOptions = {}): Promise<CodeServer> {
  const executable = codeServerExecutable();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'optlab-code-server-'));
  fs.mkdirSync(path.join(dir, 'user-data/User'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'user-data/User/settings.json'), JSON.stringify(options.settings ?? {}, null, 2));
  installExtensions(executable, dir, options.extensions ?? []);

  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const logFile = path.join(dir, 'code-server.log');
  const log = fs.openSync(logFile, 'a');
  const child = spawn(
    process.execPath,
    [
      executable,
      ...commonArgs(dir),
      '--bind-addr', `127.0.0.1:${port}`,
      '--auth', 'none',
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-getting-started-override',
      '--ignore-last-opened',
    ],
    // detached: a process group of its own, so stop() reaches every descendant.
    { detached: true, stdio: ['ignore', log, log], env: isolatedEnv(dir) },
  );
  fs.closeSync(log);
  const pgid = child.pid;
  if (pgid === undefined) throw new Error(`could not start code-server (${executable})`);
  live.set(child, dir);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    killGroup(child, 'SIGTERM');
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
    // The leader may exit before its children: make sure the group is empty.
    killGroup(child, 'SIGKILL');
    live.delete(child);
    if (!process.env.OPTLAB_E2E_KEEP) fs.rmSync(dir, { recursive: true, force: true });
  };

  try {
    await waitForHealth(url, child, logFile, options.timeoutMs ?? 60_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    url,
    port,
    pgid,
    dir,
    folderUrl: (folder) => `${url}/?folder=${encodeURIComponent(folder)}`,
    stop,
  };
}
