/**
 * The runner's own memory watchdog during a run: samples resident memory, the JS heap, ArrayBuffers
 * (Float32Arrays, the cpu backend's tensors) and TensorFlow.js's backend bytes (the wasm backend's
 * memory, tfjs-node's native tensors) a few times a second. It sees what the process itself
 * can measure between steps; one long synchronous call is the parent's to stop (RunnerClient reads
 * the child's resident memory from outside), and the heap has --max-old-space-size.
 */
import type * as tfType from '@tensorflow/tfjs';
import type { MemoryUse } from './memoryLimit';

const SAMPLE_MS = 200;

export interface MemoryWatchOptions {
  readonly limitBytes: number;
  readonly tf: typeof tfType;
  /** Called once, with what was allocated, when any measure passes the limit. */
  onExceeded(use: MemoryUse): void;
}

/** What this process has allocated now. */
export function memoryUseNow(tf: typeof tfType): MemoryUse {
  const usage = process.memoryUsage();
  return { rssBytes: usage.rss, heapBytes: usage.heapUsed, arrayBuffersBytes: usage.arrayBuffers, tfjsBytes: tf.memory().numBytes };
}

/**
 * True when resident memory, or the heap plus tensor memory (allocated, perhaps not yet resident), pass
 * the limit. The cpu backend's tensors are ArrayBuffers too: the larger of the two counts, not their sum.
 */
export function exceeds(use: MemoryUse, limitBytes: number): boolean {
  const allocated = (use.heapBytes ?? 0) + Math.max(use.arrayBuffersBytes ?? 0, use.tfjsBytes ?? 0);
  return (use.rssBytes ?? 0) > limitBytes || allocated > limitBytes;
}

/** Starts sampling; returns the function that stops it. */
export function watchMemory(o: MemoryWatchOptions): () => void {
  const timer = setInterval(() => {
    const use = memoryUseNow(o.tf);
    if (!exceeds(use, o.limitBytes)) return;
    clearInterval(timer);
    o.onExceeded(use);
  }, SAMPLE_MS);
  timer.unref();
  return () => clearInterval(timer);
}
