/**
 * Worker threads for a run's large WebAssembly products (issue 20; core's contract: productThreads.ts).
 *
 * One control block (an Int32Array over a SharedArrayBuffer) describes the current product: its sequence number,
 * the next block of rows to take, the blocks done, and the `gemm` arguments. The main thread writes the arguments,
 * bumps the sequence and notifies; each worker, waiting on the sequence (polling it for POLL_MS while the
 * PollGovernor lets it, then with Atomics.wait; it never returns to its event loop), wakes, reads the arguments and
 * takes blocks while the main thread takes blocks too. A block is taken by a compare-exchange on NEXT, which holds
 * the product's sequence number next to the block index, so a worker that read one product's arguments can never
 * take a block of the next. The main thread returns once DONE reaches the number of blocks; a worker that has not
 * woken yet takes nothing. Modules and memories reach a worker once, posted on its port before the product that
 * first needs them and read with receiveMessageOnPort (synchronous); a worker keeps the last MEMORIES_KEPT memories
 * only, so a run compiling many programs does not keep them all alive. Waits time out, so a dead worker fails the
 * product with a message instead of hanging the run; workers are unref'd, started at the first product (a run
 * without large products starts none) and terminated by close().
 */
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { BLOCKS_PER_THREAD, blockRows, type ProductRows, type ProductThreads } from '../core/compiled/productThreads';
import { PollGovernor } from './pollGovernor';

/** Control block slots. NEXT: (sequence & 0x7fff) << 16 | next block. */
const SEQ = 0;
const NEXT = 1;
const DONE = 2;
const FAILED = 3;
const STOP = 4;
const BLOCKS = 5;
const BLOCK_ROWS = 6;
const MODULE = 7;
const MEMORY = 8;
/** 1 while threads poll between products (PollGovernor), else 0. */
const POLL = 9;
const ARGS = 10;
const ARG_NAMES = ['a', 'rowBytesA', 'colBytesA', 'b', 'out', 'm', 'k', 'n', 'bias', 'epilogue'] as const;

/** Memories a worker holds at once (the newest programs'); an older one is posted again if used again. */
export const MEMORIES_KEPT = 4;
/**
 * How long a thread polls before it sleeps, while the PollGovernor lets it: a worker for the next product after
 * its blocks, the caller for the workers' last blocks. A thread woken from Atomics.wait starts tens of
 * microseconds late (bench/README.md, issue 20, threads), a tenth of a product's time on two threads, and a
 * step's products come within a millisecond of each other. OpenMP runtimes spin before they sleep for the same reason.
 */
export const POLL_MS = 1;
/** A product not done after this long means a dead worker: it throws. */
export const PRODUCT_TIMEOUT_MS = 60_000;

/** Plain JS run by each worker (eval: no bundle or loader needed); the slots above, inlined. */
const WORKER_SOURCE = `
const { workerData, receiveMessageOnPort } = require('node:worker_threads');
const ctl = new Int32Array(workerData.control);
const port = workerData.port;
const modules = new Map(), memories = new Map(), instances = new Map();
function take(message) {
  if (message.module) modules.set(message.moduleId, message.module);
  if (message.memory) memories.set(message.memoryId, message.memory);
  for (const id of message.drop) {
    memories.delete(id);
    for (const key of [...instances.keys()]) if (key.endsWith(':' + id)) instances.delete(key);
  }
}
function gemmFor(moduleId, memoryId) {
  const key = moduleId + ':' + memoryId;
  let gemm = instances.get(key);
  if (!gemm) {
    gemm = new WebAssembly.Instance(modules.get(moduleId), { env: { memory: memories.get(memoryId) } }).exports.gemm;
    instances.set(key, gemm);
  }
  return gemm;
}
let seen = 0;
for (;;) {
  // The next product usually follows within a step: poll for it a while before sleeping (waking takes longer).
  const pollUntil = Atomics.load(ctl, ${POLL}) === 1 ? performance.now() + ${POLL_MS} : 0;
  for (let spins = 1; Atomics.load(ctl, ${SEQ}) === seen; spins++) {
    if ((spins & 1023) === 0 && performance.now() > pollUntil) {
      Atomics.wait(ctl, ${SEQ}, seen);
      break;
    }
  }
  if (Atomics.load(ctl, ${STOP}) === 1) break;
  seen = Atomics.load(ctl, ${SEQ});
  for (let msg = receiveMessageOnPort(port); msg; msg = receiveMessageOnPort(port)) take(msg.message);
  const tag = (seen & 0x7fff) << 16;
  const blocks = ctl[${BLOCKS}], blockRows = ctl[${BLOCK_ROWS}];
  const [a, rowA, colA, b, out, m, k, n, bias, epilogue] = ctl.subarray(${ARGS}, ${ARGS + ARG_NAMES.length});
  let gemm;
  for (;;) {
    const next = Atomics.load(ctl, ${NEXT});
    if ((next & ~0xffff) !== tag || (next & 0xffff) >= blocks) break;
    if (Atomics.compareExchange(ctl, ${NEXT}, next, next + 1) !== next) continue;
    const from = (next & 0xffff) * blockRows, rows = Math.min(m - from, blockRows);
    try {
      gemm ??= gemmFor(ctl[${MODULE}], ctl[${MEMORY}]);
      gemm(a + from * rowA, rowA, colA, b, out + 4 * from * n, rows, k, n, 0, bias, epilogue);
    } catch (e) {
      if (Atomics.compareExchange(ctl, ${FAILED}, 0, 1) === 0) port.postMessage(String((e && e.stack) || e));
    }
    Atomics.add(ctl, ${DONE}, 1);
    Atomics.notify(ctl, ${DONE});
  }
}
`;

interface Slot {
  readonly worker: Worker;
  readonly port: MessagePort;
  /** Module ids this worker was sent. */
  readonly modules: Set<number>;
  /** Memory ids this worker holds, oldest first. */
  readonly memories: number[];
  /** Set when the thread exited (seen between products: the main thread's event loop does not run during one). */
  exited: boolean;
  readonly online: Promise<void>;
}

export class ProductPool implements ProductThreads {
  readonly threads: number;
  private readonly control = new Int32Array(new SharedArrayBuffer(4 * (ARGS + ARG_NAMES.length)));
  private readonly slots: Slot[] = [];
  private readonly moduleIds = new WeakMap<WebAssembly.Module, number>();
  private readonly memoryIds = new WeakMap<WebAssembly.Memory, number>();
  private nextId = 1;
  private readonly governor: PollGovernor;
  private closed = false;
  /** Blocks the workers have run so far, over every product (the rest ran on the calling thread). */
  workerBlocks = 0;
  /** Milliseconds the calling thread waited for workers' blocks after running its own, over every product. */
  waitMs = 0;

  /** `threads` in all, the caller's included: threads − 1 workers, started at the first product. */
  constructor(threads: number, private readonly blocksPerThread = BLOCKS_PER_THREAD) {
    this.threads = Math.max(1, Math.floor(threads));
    this.governor = new PollGovernor(this.threads, POLL_MS);
  }

  /** Starts the workers now and resolves once each is ready for products (a product would start them otherwise). */
  async start(): Promise<void> {
    this.startMissing();
    // Held until they are online: an unref'd worker alone would let the process exit while it is awaited.
    for (const slot of this.slots) slot.worker.ref();
    try {
      await Promise.all(this.slots.map((slot) => slot.online));
    } finally {
      for (const slot of this.slots) slot.worker.unref();
    }
  }

  run(module: WebAssembly.Module, memory: WebAssembly.Memory, call: ProductRows, callerRows: (from: number, to: number) => void): void {
    if (this.closed) throw new Error('the product threads were closed');
    if (this.slots.some((s) => s.exited)) throw new Error('a product thread exited');
    this.startMissing();
    const ctl = this.control;
    const rowsPerBlock = blockRows(call.m, this.threads, this.blocksPerThread);
    const blocks = Math.ceil(call.m / rowsPerBlock);
    const moduleId = this.idOf(this.moduleIds, module);
    const memoryId = this.idOf(this.memoryIds, memory);
    for (const slot of this.slots) this.send(slot, module, moduleId, memory, memoryId);
    const seq = (ctl[SEQ] + 1) & 0x7fff;
    ctl[BLOCKS] = blocks;
    ctl[BLOCK_ROWS] = rowsPerBlock;
    ctl[MODULE] = moduleId;
    ctl[MEMORY] = memoryId;
    const poll = this.governor.productStarts();
    ctl[POLL] = poll ? 1 : 0;
    ARG_NAMES.forEach((name, i) => (ctl[ARGS + i] = call[name]));
    Atomics.store(ctl, DONE, 0);
    Atomics.store(ctl, FAILED, 0);
    Atomics.store(ctl, NEXT, seq << 16);
    Atomics.store(ctl, SEQ, seq);
    Atomics.notify(ctl, SEQ);
    let callerError: unknown;
    let callerBlocks = 0;
    for (let block = this.take(blocks); block >= 0; block = this.take(blocks), callerBlocks++) {
      try {
        if (callerError === undefined) callerRows(block * rowsPerBlock, Math.min(call.m, (block + 1) * rowsPerBlock));
      } catch (e) {
        callerError = e;
      }
      Atomics.add(ctl, DONE, 1);
    }
    const waitStart = performance.now();
    this.waitDone(blocks, poll);
    this.governor.productEnds();
    this.waitMs += performance.now() - waitStart;
    this.workerBlocks += blocks - callerBlocks;
    if (callerError !== undefined) throw callerError;
    if (Atomics.load(ctl, FAILED) === 1) {
      const message = this.slots.map((s) => receiveMessageOnPort(s.port)?.message as string | undefined).find((m) => m !== undefined);
      throw new Error(`a product thread failed: ${message ?? 'no message'}`);
    }
  }

  /** The next block of the current product for the calling thread, or −1 when every block is taken. */
  private take(blocks: number): number {
    for (;;) {
      const next = Atomics.load(this.control, NEXT);
      if ((next & 0xffff) >= blocks) return -1;
      if (Atomics.compareExchange(this.control, NEXT, next, next + 1) === next) return next & 0xffff;
    }
  }

  /** Waits until the blocks the workers took are done (throws past PRODUCT_TIMEOUT_MS, closing the pool). */
  private waitDone(blocks: number, poll: boolean): void {
    const pollUntil = poll ? performance.now() + POLL_MS : 0;
    while (Atomics.load(this.control, DONE) < blocks && performance.now() < pollUntil);
    const deadline = Date.now() + PRODUCT_TIMEOUT_MS;
    for (let done = Atomics.load(this.control, DONE); done < blocks; done = Atomics.load(this.control, DONE)) {
      if (Date.now() > deadline) {
        void this.close();
        throw new Error(`a product thread did not finish its rows within ${PRODUCT_TIMEOUT_MS / 1000} s`);
      }
      Atomics.wait(this.control, DONE, done, 1000);
    }
  }

  private startMissing(): void {
    while (!this.closed && this.slots.length < this.threads - 1) this.slots.push(this.startWorker());
  }

  private startWorker(): Slot {
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { control: this.control.buffer, port: port2 }, transferList: [port2] });
    worker.unref();
    const online = new Promise<void>((resolve, reject) => {
      worker.once('online', resolve);
      worker.once('exit', () => reject(new Error('a product thread exited before it started')));
    });
    const slot: Slot = { worker, port: port1, modules: new Set(), memories: [], exited: false, online };
    // A failure during a product shows in the control block (FAILED, or a timeout); this keeps it from being unhandled.
    worker.on('error', () => undefined);
    worker.on('exit', () => (slot.exited = true));
    return slot;
  }

  /** Posts the module and memory to a worker that does not hold them (dropping its oldest memory past MEMORIES_KEPT). */
  private send(slot: Slot, module: WebAssembly.Module, moduleId: number, memory: WebAssembly.Memory, memoryId: number): void {
    const newModule = !slot.modules.has(moduleId);
    const held = slot.memories.indexOf(memoryId);
    if (held >= 0) slot.memories.splice(held, 1);
    slot.memories.push(memoryId);
    const drop = slot.memories.length > MEMORIES_KEPT ? slot.memories.splice(0, slot.memories.length - MEMORIES_KEPT) : [];
    if (!newModule && held >= 0) return;
    slot.modules.add(moduleId);
    slot.port.postMessage({ moduleId, module: newModule ? module : undefined, memoryId, memory: held >= 0 ? undefined : memory, drop });
  }

  private idOf<K extends object>(ids: WeakMap<K, number>, key: K): number {
    let id = ids.get(key);
    if (id === undefined) ids.set(key, (id = this.nextId++));
    return id;
  }

  /** Stops every worker (idempotent); resolves once they have exited. */
  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      Atomics.store(this.control, STOP, 1);
      Atomics.add(this.control, SEQ, 1);
      Atomics.notify(this.control, SEQ);
      for (const slot of this.slots) slot.port.close();
    }
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }
}
