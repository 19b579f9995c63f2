import { strict as assert } from 'node:assert';
import { fusedProducts } from '../../../src/core/compiled/gemmKernels';
import { relaxedMaddFuses, relaxedMaddValidates } from '../../../src/core/wasm/relaxedSimd';
import { setWasmFlags, wasmFlagsFor } from '../../../src/runner/wasmFlags';

describe('wasmFlags: relaxed SIMD for the products, by V8 version', () => {
  it('Node 20 (V8 11.3) gets the flag; V8 11.4 and later, which ship relaxed SIMD, get none', () => {
    assert.deepEqual(wasmFlagsFor('11.3.244.8-node.38'), ['--experimental-wasm-relaxed-simd']);
    assert.deepEqual(wasmFlagsFor('10.2.154.26-node.36'), ['--experimental-wasm-relaxed-simd']);
    assert.deepEqual(wasmFlagsFor('11.4.183.29'), []);
    assert.deepEqual(wasmFlagsFor('12.4.254.21-node.33'), []);
  });

  it('after setWasmFlags, this engine has relaxed_madd, and the products fuse where it rounds once', () => {
    setWasmFlags();
    assert.ok(relaxedMaddValidates());
    assert.equal(fusedProducts(), relaxedMaddFuses());
  });
});
