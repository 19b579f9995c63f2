/**
 * One TensorFlow.js job at a time in the runner process: runs and landscape
 * requests each open an engine scope (tf.engine().startScope) across awaits,
 * and scopes are a stack, so two interleaved jobs would free each other's
 * tensors. A landscape request asked for during a run waits for its end.
 */
let tail: Promise<unknown> = Promise.resolve();

/** Waits for every earlier turn to end; call the returned function to end this one. */
export function takeTurn(): Promise<() => void> {
  let release!: () => void;
  const ended = new Promise<void>((resolve) => (release = resolve));
  const ready = tail.then(() => release);
  tail = ended;
  return ready;
}

/** Runs `job` in its turn; resolves or rejects as `job` does. */
export async function inTurn<T>(job: () => Promise<T>): Promise<T> {
  const release = await takeTurn();
  try {
    return await job();
  } finally {
    release();
  }
}
