import { strict as assert } from 'node:assert';
import type { RunRecord } from '../../../src/runner/runRecorder';
import { SUMMARY_HEADER, summaryRow } from '../../../src/runner/terminalOutput';

/** The CLI summary's last column says where the steps ran: the backend, compiled JS, or compiled with WebAssembly SIMD. */
describe('CLI summary row: where the steps ran', () => {
  const record = (compute: RunRecord['compute']): RunRecord => ({
    objective: 'rosenbrock', optimizer: { id: 'adam', lr: 0.01, hp: {} }, backend: 'wasm', steps: [], curvature: [],
    final: { loss: 1e-3, gradNorm: 2e-2, params: [1, 1] }, file: 'x.ts', seed: 0, tfjsVersion: '4.22.0', sourceHash: 'h',
    schedule: null, maximize: false, clipNorm: null, noiseTemperature: null, paramNames: ['x', 'y'], minimum: null,
    status: 'completed', message: null, error: null, curvatureError: null, evals: 300, wallMs: 120, stepsPerSecond: 2500, compute,
  });
  const where = (compute: RunRecord['compute']) => summaryRow(record(compute))[SUMMARY_HEADER.indexOf('backend')];

  it('names the backend for tensor runs, and compiled runs by how their loops ran', () => {
    assert.equal(where({ path: 'tensors', reason: 'not asked for' }), 'wasm');
    assert.equal(where(null), 'wasm');
    assert.equal(where({ path: 'compiled' }), 'compiled JS');
    assert.equal(where({ path: 'compiled', simd: true }), 'compiled wasm SIMD');
    assert.equal(where({ path: 'compiled', simd: true, threads: 1, fusedMultiplyAdd: true }), 'compiled wasm SIMD');
    assert.equal(where({ path: 'compiled', simd: true, threads: 3 }), 'compiled wasm SIMD, 3 threads');
  });
});
