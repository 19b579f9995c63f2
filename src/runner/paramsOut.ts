/**
 * How a run's parameter vectors leave the runner: every number up to PARAMS_INLINE_MAX, above it a
 * summary (sending 10 million numbers cost seconds of IPC, zod and JSON and a 260 MB --json file),
 * and a float32 .npy file when the request asks for one.
 */
import * as fs from 'node:fs';
import { PARAMS_INLINE_MAX, type ParamSummary } from '../protocol/runner';

/** The parameters as the protocol carries them: all of them, or [] and a summary. */
export function paramsForMessage(values: Float32Array): { params: number[]; summary?: ParamSummary } {
  if (values.length <= PARAMS_INLINE_MAX) return { params: Array.from(values) };
  return { params: [], summary: summarizeParams(values) };
}

/** min, max, mean and rms of the finite entries, in float64; the non-finite ones are counted. */
export function summarizeParams(values: Float32Array): ParamSummary {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let squares = 0;
  let nonFinite = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) {
      nonFinite++;
      continue;
    }
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    squares += v * v;
  }
  const finite = values.length - nonFinite;
  if (finite === 0) return { count: values.length, min: null, max: null, mean: null, rms: null, nonFinite };
  return { count: values.length, min, max, mean: sum / finite, rms: Math.sqrt(squares / finite), nonFinite };
}

/**
 * Writes `values` as a NumPy .npy file (format 1.0, little-endian float32, 1-D), which
 * `numpy.load(path)` and `torch.from_numpy(numpy.load(path))` read. Returns the path.
 */
export function writeNpy(file: string, values: Float32Array): string {
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${values.length},), }`;
  // The header (magic 6 + version 2 + length 2 + dict + '\n') is padded with spaces to a multiple of 64 bytes.
  const unpadded = 10 + dict.length + 1;
  const header = `${dict}${' '.repeat((64 - (unpadded % 64)) % 64)}\n`;
  const prefix = Buffer.alloc(10);
  prefix.write('\x93NUMPY', 0, 'latin1');
  prefix[6] = 1;
  prefix[7] = 0;
  prefix.writeUInt16LE(header.length, 8);
  const data = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new Error('writing .npy needs a little-endian machine');
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeSync(fd, prefix);
    fs.writeSync(fd, Buffer.from(header, 'latin1'));
    fs.writeSync(fd, data);
  } finally {
    fs.closeSync(fd);
  }
  return file;
}
