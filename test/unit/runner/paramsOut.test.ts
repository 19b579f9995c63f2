import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PARAMS_INLINE_MAX } from '../../../src/protocol/runner';
import { paramsForMessage, summarizeParams, writeNpy } from '../../../src/runner/paramsOut';
import { parseCommand, type RunCommand } from '../../../src/runner/cliArgs';
import { fixture, runInProcess } from './runInProcess';

/** Reads a 1-D float32 .npy by its format's definition (magic, version 1.0, header length, header, data). */
function readNpy(file: string): { header: string; values: Float32Array } {
  const bytes = fs.readFileSync(file);
  assert.equal(bytes.subarray(0, 6).toString('latin1'), '\x93NUMPY');
  assert.deepEqual([bytes[6], bytes[7]], [1, 0]);
  const headerLength = bytes.readUInt16LE(8);
  assert.equal((10 + headerLength) % 64, 0, 'data starts on a 64-byte boundary');
  const header = bytes.subarray(10, 10 + headerLength).toString('latin1');
  const data = bytes.subarray(10 + headerLength);
  return { header, values: new Float32Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)) };
}

describe('large parameter vectors: summarised, saved as .npy', function () {
  this.timeout(120_000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'optlab-params-'));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('sends every value up to PARAMS_INLINE_MAX, above it [] and a summary of the finite values', () => {
    assert.equal(paramsForMessage(new Float32Array([1, 2])).params.length, 2);
    assert.equal(paramsForMessage(new Float32Array([1, 2])).summary, undefined);
    const big = new Float32Array(PARAMS_INLINE_MAX + 1).fill(2);
    big[0] = -1;
    big[1] = NaN;
    const { params, summary } = paramsForMessage(big);
    assert.deepEqual(params, []);
    const n = PARAMS_INLINE_MAX - 1; // finite 2s
    assert.deepEqual(summary, { count: PARAMS_INLINE_MAX + 1, min: -1, max: 2, mean: (2 * n - 1) / (n + 1), rms: Math.sqrt((4 * n + 1) / (n + 1)), nonFinite: 1 });
    assert.deepEqual(summarizeParams(new Float32Array([Infinity])), { count: 1, min: null, max: null, mean: null, rms: null, nonFinite: 1 });
  });

  it('writes a float32 .npy that numpy reads (header and values)', () => {
    const values = new Float32Array([0.5, -2, 3.25]);
    const { header, values: back } = readNpy(writeNpy(path.join(tmp, 'a.npy'), values));
    assert.match(header, /^\{'descr': '<f4', 'fortran_order': False, 'shape': \(3,\), \} *\n$/);
    assert.deepEqual(Array.from(back), [0.5, -2, 3.25]);
  });

  it('a run over 100,001 parameters sends summaries and saves its final parameters when asked', async () => {
    const file = path.join(tmp, 'final.npy');
    const r = await runInProcess({ file: fixture('wide.ts'), optimizer: { id: 'sgd', lr: 0.25 }, steps: 1, saveParams: file, landscape: false });
    assert.equal(r.error, undefined, r.error?.message);
    assert.deepEqual(r.meta?.initialParams, []);
    const count = 100_001;
    assert.deepEqual(r.meta?.initialParamsSummary, { count, min: 1, max: 3, mean: (3 + (count - 1)) / count, rms: Math.sqrt((9 + (count - 1)) / count), nonFinite: 0 });
    // One SGD step on sum(p²): p − 0.25·2p = p/2.
    assert.deepEqual(r.done?.final.params, []);
    assert.equal(r.done?.final.paramsSummary?.max, 1.5);
    assert.equal(r.done?.final.paramsSummary?.min, 0.5);
    assert.equal(r.done?.final.paramsFile, file);
    const { values } = readNpy(file);
    assert.equal(values.length, count);
    assert.deepEqual([values[0], values[1], values[count - 1]], [1.5, 0.5, 0.5]);
    assert.equal(r.leaked, 0);
  });

  it('optlab run takes --save-params (resolved) and --memory-limit in MB or GB', () => {
    const run = (...flags: string[]) => parseCommand(['run', 'f.ts', ...flags]) as RunCommand;
    assert.equal(run('--save-params', 'out.npy').saveParams, path.resolve('out.npy'));
    assert.equal(run('--memory-limit', '2GB').memoryLimitBytes, 2 * 1024 ** 3);
    assert.equal(run('--memory-limit', '512MB').memoryLimitBytes, 512 * 1024 ** 2);
    assert.equal(run().memoryLimitBytes, undefined);
    assert.throws(() => run('--memory-limit', '2TB'), /--memory-limit: .*MB or GB/);
  });
});
