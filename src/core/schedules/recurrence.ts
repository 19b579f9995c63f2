/** Steps whose values are all kept: a preview (100 000 steps) and the run then compute each step once. */
const DENSE_MAX = 1 << 17;
/** Past DENSE_MAX, one value is kept every this many steps, so a jump back recomputes at most this many. */
const CHECKPOINT_EVERY = 1024;

/**
 * The k-th term of lr_0 = first(), lr_k = next(k, lr_{k-1}), asked for in any order. torch steps
 * its chainable schedulers this way (each step from the optimizer's current lr), and a user's
 * (step, lr) => lr function too, so a value needs the ones before it. Asking again for a kept step
 * costs nothing and calls nothing; steps are computed in order and each `next` is called once per
 * pass. If `next` throws, the steps before the failing one stay computed and the same request
 * fails again.
 */
export function recurrence(first: () => number, next: (k: number, prev: number) => number): (step: number) => number {
  const dense: number[] = [];
  const checkpoints = new Map<number, number>();
  // The last computed step and its value.
  let at = -1;
  let lr = NaN;

  const advance = (): void => {
    const value = at < 0 ? first() : next(at + 1, lr);
    at += 1;
    lr = value;
    if (at === dense.length && at < DENSE_MAX) dense.push(value);
    else if (at % CHECKPOINT_EVERY === 0) checkpoints.set(at, value);
  };

  return (step) => {
    const k = Math.max(0, Math.floor(step));
    if (k < dense.length) return dense[k];
    if (k < at) {
      // Only reachable past the dense part: restart from the nearest kept step at or before k.
      const c = Math.floor(k / CHECKPOINT_EVERY) * CHECKPOINT_EVERY;
      const kept = checkpoints.get(c);
      at = kept === undefined ? dense.length - 1 : c;
      lr = kept === undefined ? dense[at] : kept;
    }
    while (at < k) advance();
    return lr;
  };
}
