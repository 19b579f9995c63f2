/**
 * A compiled program's WebAssembly memory as a host: another program (a guest) may place its own
 * buffers after the host's and run its loops over the host's arrays in place. That is how the
 * objective's gradient lands where the optimizer's rule reads it and the objective reads the
 * parameters where the rule wrote them, with no copy per step (instantiateProgram.ts, guestsIn).
 *
 * The guest region is claimed by one owner at a time: a newer claim (the next run's objective on a
 * pooled rule kernel) retires the previous guest, whose runs then decline. Growing the memory
 * detaches every view of its old buffer, so the host's holders re-make theirs (onGrow), and an
 * array a caller kept from before must be fetched again.
 */

const PAGE = 65536;

/** Each host by every buffer its memory has had (a view made before a growth still finds it). */
const hosts = new WeakMap<ArrayBufferLike, HostMemory>();
/** Every host, for a buffer object not seen yet (see bufferOf). */
let allHosts: WeakRef<HostMemory>[] = [];

export class HostMemory {
  private readonly refreshers: (() => void)[] = [];
  /** Where the guest region starts (bytes), once a guest claimed one: the host's own end, page aligned. */
  private guestBase: number | undefined;
  private guestOwner: object | undefined;

  constructor(readonly memory: WebAssembly.Memory) {
    hosts.set(memory.buffer, this);
    allHosts = allHosts.filter((ref) => ref.deref() !== undefined);
    allHosts.push(new WeakRef(this));
  }

  /** Re-makes a holder's views after the memory grew (called in the order registered). */
  onGrow(refresh: () => void): void {
    this.refreshers.push(refresh);
  }

  /** End (bytes) of every region claimed so far: past it the memory is as growing made it, zeros. */
  private claimedEnd = 0;

  /**
   * `bytes` after the host's buffers for `owner`, retiring the previous guest: the region's byte
   * address, and whether it is all zeros (no guest had any of it: the guest need not clear its
   * buffers); undefined when the memory cannot grow that far (4 GiB, or the engine refuses).
   */
  claim(owner: object, bytes: number): { base: number; zeroed: boolean } | undefined {
    const base = this.guestBase ?? this.memory.buffer.byteLength;
    const have = this.memory.buffer.byteLength;
    if (base + bytes > have) {
      try {
        this.memory.grow(Math.ceil((base + bytes - have) / PAGE));
      } catch (e) {
        if (e instanceof RangeError) return undefined;
        throw e;
      }
      hosts.set(this.memory.buffer, this);
      for (const refresh of this.refreshers) refresh();
    }
    this.guestBase = base;
    this.guestOwner = owner;
    // The first region starts at the memory's end then, so it is all grown bytes.
    const zeroed = base >= this.claimedEnd;
    this.claimedEnd = Math.max(this.claimedEnd, base + bytes);
    return { base, zeroed };
  }

  /** Whether `owner` still holds the guest region. */
  holds(owner: object): boolean {
    return this.guestOwner === owner;
  }
}

/** The host whose memory `view` is a view of, if any. */
export function hostOf(view: Float32Array): HostMemory | undefined {
  const known = hosts.get(view.buffer);
  if (known || !(view.buffer instanceof SharedArrayBuffer)) return known;
  const host = allHosts.map((ref) => ref.deref()).find((h) => h !== undefined && isBufferOf(view.buffer, h.memory));
  if (host) hosts.set(view.buffer, host);
  return host;
}

/** Whether `a` is `length` floats of `memory` at byte `address` (of its current bytes: not a detached view). */
export function isViewAt(a: Float32Array, memory: WebAssembly.Memory, address: number, length: number): boolean {
  return a.byteOffset === address && a.length === length && isBufferOf(a.buffer, memory);
}

/** Buffer objects known to be a shared memory's (positive answers of isBufferOf). */
const sharedBuffers = new WeakMap<ArrayBufferLike, WebAssembly.Memory>();

/**
 * Whether `buffer` holds `memory`'s bytes: its current buffer, or for a shared memory any buffer object V8 gave
 * it. Growing any shared memory gives every shared memory of the thread a new buffer object (V8 11.3), and views
 * made before keep the old one, still valid. Such a buffer is recognised by flipping byte 0 through it and reading
 * it through the current one, which read the same byte before (then restored; nothing else runs on this thread
 * meanwhile, and the product threads only run inside a product).
 */
export function isBufferOf(buffer: ArrayBufferLike, memory: WebAssembly.Memory): boolean {
  const current = memory.buffer as ArrayBufferLike;
  if (buffer === current || sharedBuffers.get(buffer) === memory) return true;
  if (!(buffer instanceof SharedArrayBuffer) || !(current instanceof SharedArrayBuffer) || buffer.byteLength === 0) return false;
  const mine = new Uint8Array(buffer, 0, 1);
  const theirs = new Uint8Array(current, 0, 1);
  const old = mine[0];
  // Another memory whose byte 0 happens to be the flipped value must not pass: it must read `old` first.
  if (theirs[0] !== old) return false;
  mine[0] = old ^ 0xff;
  const same = theirs[0] === (old ^ 0xff);
  mine[0] = old;
  if (same) sharedBuffers.set(buffer, memory);
  return same;
}
