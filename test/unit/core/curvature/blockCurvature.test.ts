import { strict as assert } from 'node:assert';
import { blockCurvature } from '../../../../src/core/curvature/blockCurvature';
import type { ArrayOperator } from '../../../../src/core/curvature/hvp';
import { symmetricEigen } from '../../../../src/core/curvature/symmetricEigen';
import { selectBackend } from '../../../../src/runner/backend';

/** A dense symmetric H (float64) with strong coupling between the blocks, as an operator. */
function denseHessian(n: number): { rows: number[][]; apply: ArrayOperator } {
  const rows = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 + (i % 7) : Math.sin(i * 3.1 + j * 3.1 + i * j * 0.01))));
  const apply: ArrayOperator = (v, out) => rows.forEach((row, i) => (out[i] = row.reduce((s, h, j) => s + h * v[j], 0)));
  return { rows, apply };
}

describe('blockCurvature (per named tensor: the Hessian\'s diagonal blocks)', () => {
  // On the cpu backend, whatever other test files registered (the wasm backend is registered on import).
  before(async () => {
    await selectBackend('cpu');
  });

  it("each block's λmax is its own block's (not the whole Hessian's), and its trace lies within three of its errors", () => {
    const { rows, apply } = denseHessian(40);
    const blocks = [{ name: 'w1', offset: 0, size: 12 }, { name: 'b1', offset: 12, size: 4 }, { name: 'w2', offset: 16, size: 24 }];
    const result = blockCurvature(apply, 40, blocks, { probes: 32, seed: 3 });
    const whole = symmetricEigen(rows).values[39];
    for (const [k, b] of blocks.entries()) {
      const sub = rows.slice(b.offset, b.offset + b.size).map((row) => row.slice(b.offset, b.offset + b.size));
      const exact = symmetricEigen(sub).values[b.size - 1];
      const trace = sub.reduce((s, row, i) => s + row[i], 0);
      const r = result[k];
      assert.equal(r.name, b.name);
      assert.ok(Math.abs(r.lambdaMax - exact) < 1e-3 * Math.abs(exact) + r.residual, `${b.name}: λmax ${r.lambdaMax} vs ${exact}`);
      assert.ok(Math.abs(r.lambdaMax - whole) > 0.05 * whole, `${b.name}: the whole Hessian's λmax ${whole} is not the block's`);
      assert.ok(r.traceStdErr > 0 && Math.abs(r.trace - trace) <= 3 * r.traceStdErr, `${b.name}: trace ${r.trace} ± ${r.traceStdErr} vs ${trace}`);
    }
  });
});
