/**
 * End to end, as a user waits for it: `optlab run` on `p.square().sum()` with n parameters (all 1) and
 * Adam, against a PyTorch script doing the same, each a fresh process with start-up included. Reports
 * the median wall time and the median peak memory (resident memory of the whole process tree, sampled
 * every 20 ms: ours is the CLI plus its runner child) of `repeats` runs; with /usr/bin/time, also the
 * CPU time (user + system, the process and its children) and the largest single process's peak RSS, which
 * say more than wall time on a machine busy with other work.
 *
 *   npm run build && npm run bench -- --e2e   (after the steps/s table), or alone:
 *   npm run build && npx tsx bench/endToEnd.ts [--repeats 3] [--sizes 1e6,1e7] [--steps 1,5,40] [--no-torch] [--cli PATH] [--before PATH] [--out FILE (relative to bench/results)]
 *
 * --before: another build's bin/optlab.js measured in the same rounds (before/after figures under the same load).
 *
 * Writes bench/results/endToEnd.json. Needs dist/ (npm run build) and, for the PyTorch side,
 * /usr/bin/python3 with python3-torch (run on one thread, as ours runs).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const PYTHON = '/usr/bin/python3';
const TIME = '/usr/bin/time';
const ROOT = path.resolve(__dirname, '..');
const SAMPLE_MS = 20;

const TORCH_SCRIPT = `
import sys, torch
torch.set_num_threads(1)
n, steps = int(sys.argv[1]), int(sys.argv[2])
p = torch.ones(n, requires_grad=True)
opt = torch.optim.Adam([p], lr=1e-3)
for _ in range(steps):
    opt.zero_grad()
    loss = p.square().sum()
    loss.backward()
    opt.step()
    loss.item()
with torch.no_grad():
    print(p.square().sum().item())
`;

interface Measured {
  readonly seconds: number;
  readonly peakBytes: number;
  /** User + system CPU seconds of the process and its children (with /usr/bin/time). */
  readonly cpuSeconds?: number;
  /** Peak resident memory of the largest single process (with /usr/bin/time). */
  readonly maxRssBytes?: number;
}

/** Resident bytes of `pid` and every descendant (Linux /proc). */
function treeResidentBytes(root: number): number {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'latin1');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // The process ended while we read.
    }
  }
  let total = 0;
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop() as number;
    try {
      total += Number(fs.readFileSync(`/proc/${pid}/statm`, 'latin1').split(' ')[1]) * 4096;
    } catch {
      // Gone.
    }
    stack.push(...(children.get(pid) ?? []));
  }
  return total;
}

/** Runs a command to its end; its wall time and the peak resident memory of its process tree. */
function measure(command: string, args: string[], cwd: string): Promise<Measured> {
  const timed = fs.existsSync(TIME);
  const usageFile = path.join(cwd, `usage-${process.pid}.txt`);
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = timed
      ? spawn(TIME, ['-f', '%U %S %M', '-o', usageFile, command, ...args], { cwd, stdio: ['ignore', 'ignore', 'pipe'] })
      : spawn(command, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let peak = 0;
    const sampler = setInterval(() => {
      if (child.pid !== undefined) peak = Math.max(peak, treeResidentBytes(child.pid));
    }, SAMPLE_MS);
    child.on('exit', (code) => {
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      clearInterval(sampler);
      if (code !== 0) return reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr.slice(-500)}`));
      if (!timed) return resolve({ seconds, peakBytes: peak });
      const [user, system, maxKb] = fs.readFileSync(usageFile, 'utf8').trim().split('\n').pop()?.split(' ').map(Number) ?? [];
      resolve({ seconds, peakBytes: peak, cpuSeconds: user + system, maxRssBytes: maxKb * 1024 });
    });
  });
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function objectiveFile(dir: string, n: number): string {
  const file = path.join(dir, `sumSquares${n}.ts`);
  fs.writeFileSync(file, [
    "import * as tf from '@tensorflow/tfjs';",
    'export function sumSquares(p: tf.Tensor1D): tf.Scalar {',
    '  return p.square().sum();',
    '}',
    `sumSquares.init = { shape: [${n}], fill: 1 };`,
    '',
  ].join('\n'));
  return file;
}

function parseList(text: string | undefined, fallback: number[]): number[] {
  return text === undefined ? fallback : text.split(',').map(Number);
}

interface Row { n: number; steps: number; ours: Measured; torch?: Measured; before?: Measured }

/** Measures every size × step count `repeats` times on both sides; prints a line each and writes bench/results/endToEnd.json. */
export async function runEndToEnd(argv: readonly string[]): Promise<void> {
  const opt = (name: string) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
  const repeats = Number(opt('--repeats') ?? 3);
  const sizes = parseList(opt('--sizes'), [1e6, 1e7]);
  const stepCounts = parseList(opt('--steps'), [1, 5, 40]);
  const withTorch = !argv.includes('--no-torch') && fs.existsSync(PYTHON);
  // --cli: another build's bin/optlab.js (e.g. an older commit's, for before/after figures).
  const cli = path.resolve(opt('--cli') ?? path.join(ROOT, 'bin', 'optlab.js'));
  const beforeCli = opt('--before') === undefined ? undefined : path.resolve(opt('--before') as string);
  for (const c of [cli, beforeCli]) if (c && !fs.existsSync(path.join(path.dirname(c), '..', 'dist', 'cli.js'))) throw new Error(`dist/cli.js is missing next to ${c}: run npm run build first`);
  const runArgs = (c: string, file: string, steps: number) => [c, 'run', file, '--optimizer', 'adam', '--steps', String(steps), '--time-limit', '900'];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'optlab-e2e-'));
  const rows: Row[] = [];
  for (const n of sizes) {
    const file = objectiveFile(dir, n);
    for (const steps of stepCounts) {
      const ours: Measured[] = [];
      const torch: Measured[] = [];
      const before: Measured[] = [];
      for (let r = 0; r < repeats; r++) {
        // Alternate the sides so a busy spell of the machine does not fall on one side only.
        // A generous time limit: on a busy machine a 40-step run at 1e7 passes the default 60 s (measured at a load of 14 on 2 cores).
        ours.push(await measure(process.execPath, runArgs(cli, file, steps), dir));
        if (beforeCli) before.push(await measure(process.execPath, runArgs(beforeCli, file, steps), dir));
        if (withTorch) torch.push(await measure(PYTHON, ['-c', TORCH_SCRIPT, String(n), String(steps)], dir));
      }
      const med = (ms: Measured[]): Measured => {
        const cpu = ms.map((m) => m.cpuSeconds).filter((v): v is number => v !== undefined);
        const rss = ms.map((m) => m.maxRssBytes).filter((v): v is number => v !== undefined);
        return {
          seconds: median(ms.map((m) => m.seconds)), peakBytes: median(ms.map((m) => m.peakBytes)),
          ...(cpu.length === ms.length ? { cpuSeconds: median(cpu), maxRssBytes: median(rss) } : {}),
        };
      };
      const row: Row = { n, steps, ours: med(ours), ...(withTorch ? { torch: med(torch) } : {}), ...(beforeCli ? { before: med(before) } : {}) };
      rows.push(row);
      console.log(line(row));
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(__dirname, 'results'), { recursive: true });
  fs.writeFileSync(path.resolve(__dirname, 'results', opt('--out') ?? 'endToEnd.json'), `${JSON.stringify({ date: new Date().toISOString(), repeats, cpus: os.cpus().length, rows }, null, 2)}\n`);
}

const GB = 1024 ** 3;
function line(r: Row): string {
  const t = r.torch;
  const time = `${r.ours.seconds.toFixed(2)} s vs ${t ? `${t.seconds.toFixed(2)} s (${(r.ours.seconds / t.seconds).toFixed(2)}x)` : '—'}`;
  const mem = `${(r.ours.peakBytes / GB).toFixed(2)} GB vs ${t ? `${(t.peakBytes / GB).toFixed(2)} GB (${(r.ours.peakBytes / t.peakBytes).toFixed(2)}x)` : '—'}`;
  const cpu = r.ours.cpuSeconds !== undefined ? `; CPU ${r.ours.cpuSeconds.toFixed(2)} s vs ${t?.cpuSeconds !== undefined ? `${t.cpuSeconds.toFixed(2)} s` : '—'}` : '';
  const b = r.before;
  const before = b ? `; before: ${b.seconds.toFixed(2)} s, ${(b.peakBytes / GB).toFixed(2)} GB${b.cpuSeconds !== undefined ? `, CPU ${b.cpuSeconds.toFixed(2)} s` : ''}` : '';
  return `Adam, sum(p²), n = ${r.n.toExponential(0)}, ${r.steps} step(s), end to end: ours ${time}; peak memory ${mem}${cpu}${before}`;
}

if (require.main === module) {
  runEndToEnd(process.argv.slice(2)).catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
