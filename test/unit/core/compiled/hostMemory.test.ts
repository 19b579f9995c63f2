import { strict as assert } from 'node:assert';
import { HostMemory, hostOf, isBufferOf, isViewAt } from '../../../../src/core/compiled/hostMemory';
import { sharedMemory } from '../../../../src/core/wasm/loopModule';

describe('hostMemory: views found after another shared memory grew', () => {
  it("a view made before and one made after another memory's growth both find their host; other memories' views do not", () => {
    const host = new HostMemory(sharedMemory(1));
    const before = new Float32Array(host.memory.buffer, 64, 4);
    before[0] = 1.5;
    new Uint8Array(host.memory.buffer)[0] = 0x5a;
    const other = sharedMemory(1);
    // V8 gives every shared memory of the thread a new buffer object when any of them grows.
    other.grow(1);
    const after = new Float32Array(host.memory.buffer, 64, 4);
    for (const view of [before, after]) {
      assert.equal(hostOf(view), host);
      assert.ok(isViewAt(view, host.memory, 64, 4));
      assert.ok(!isViewAt(view, host.memory, 48, 4));
      assert.ok(isBufferOf(view.buffer, host.memory));
    }
    const elsewhere = new Float32Array(other.buffer, 64, 4);
    assert.equal(hostOf(elsewhere), undefined);
    assert.ok(!isViewAt(elsewhere, host.memory, 64, 4));
    assert.ok(!isBufferOf(new ArrayBuffer(8), host.memory));
    // The probe leaves the bytes as they were.
    assert.equal(new Uint8Array(host.memory.buffer)[0], 0x5a);
    assert.equal(new Uint8Array(other.buffer)[0], 0);
    assert.equal(after[0], 1.5);
  });
});

describe('hostMemory: a buffer is not taken for another memory whose first byte is the probe', () => {
  it("memory b, whose byte 0 is a's flipped, does not hold a's bytes, before or after a growth", () => {
    const a = sharedMemory(1);
    const b = sharedMemory(1);
    new Uint8Array(a.buffer)[0] = 0x5a;
    new Uint8Array(b.buffer)[0] = 0x5a ^ 0xff;
    const old = a.buffer;
    sharedMemory(1).grow(1);
    assert.notEqual(a.buffer, old, 'the growth gave a a new buffer object');
    assert.ok(isBufferOf(old, a));
    assert.ok(!isBufferOf(old, b));
    assert.ok(!isBufferOf(a.buffer, b));
    assert.equal(new Uint8Array(a.buffer)[0], 0x5a);
    assert.equal(new Uint8Array(b.buffer)[0], 0x5a ^ 0xff);
  });
});

describe('hostMemory: guest regions', () => {
  it('a region no guest had is all zeros (as grown); one an earlier guest had is not said to be', () => {
    const host = new HostMemory(sharedMemory(1));
    const first = host.claim({}, 100_000);
    assert.deepEqual(first, { base: 65536, zeroed: true });
    new Float32Array(host.memory.buffer, 65536, 4).fill(3);
    assert.deepEqual(host.claim({}, 100_000), { base: 65536, zeroed: false });
    assert.deepEqual(host.claim({}, 10), { base: 65536, zeroed: false });
    // A larger region than before starts where the earlier ones did: some of it was theirs.
    const larger = host.claim({}, 300_000);
    assert.deepEqual(larger, { base: 65536, zeroed: false });
    assert.ok(host.memory.buffer.byteLength >= 65536 + 300_000);
  });
});
