import type { HpRecord } from '../hyperparams';

/** Typed reader for a record already checked by resolveHyperparams. */
export const hpNumber = (hp: HpRecord, name: string): number => hp[name] as number;
