import { strict as assert } from 'node:assert';
import { MAX_PAGES, MemoryPlan } from '../../../../src/core/wasm/loopModule';

/** MemoryPlan: 16-byte aligned buffers with room for a vector read past the end, and a clear refusal past 4 GiB. */
describe('WebAssembly memory plans', () => {
  it('aligns every buffer to 16 bytes and keeps views of the requested lengths', () => {
    const plan = new MemoryPlan();
    const ids = [3, 1, 0, 17].map((n) => plan.reserve(n));
    ids.forEach((id) => assert.equal(plan.address(id) % 16, 0));
    // Each buffer is followed by at least 16 spare bytes (a 4-lane load at its last element stays inside).
    for (let k = 1; k < ids.length; k++) assert.ok(plan.address(ids[k]) - plan.address(ids[k - 1]) >= 4 * [3, 1, 0, 17][k - 1] + 16);
    const { f32, i32 } = plan.allocate();
    assert.deepEqual(f32.map((a) => a.length), [3, 1, 0, 17]);
    assert.deepEqual(i32.map((a) => a.length), [3, 1, 0, 17]);
  });

  it('refuses more than one 32-bit memory with a RangeError (compileProgram then keeps the loops in JS)', () => {
    const plan = new MemoryPlan();
    plan.reserve(2 ** 29);
    plan.reserve(2 ** 29);
    assert.ok(plan.pages > MAX_PAGES);
    assert.throws(() => plan.allocate(), RangeError);
  });
});
