import { betasInUnitInterval, nonNegative, type HpRecord, type HpSpec } from '../hyperparams';

/** Specs shared by several optimizers, with torch's names, defaults and range checks. */
export const weightDecaySpec = (defaultValue = 0): HpSpec => ({
  name: 'weight_decay',
  kind: 'number',
  default: defaultValue,
  doc: 'L2 penalty: weight_decay·params is added to the gradient',
  check: nonNegative,
});

export const epsSpec = (defaultValue: number): HpSpec => ({
  name: 'eps',
  kind: 'number',
  default: defaultValue,
  doc: 'term added to the denominator for numerical stability',
  check: nonNegative,
});

export const betasSpec: HpSpec = {
  name: 'betas',
  kind: 'pair',
  default: [0.9, 0.999],
  doc: 'decay rates of the running averages of the gradient and of its square',
  check: betasInUnitInterval,
};

/** Typed readers for a record already checked by resolveHyperparams. */
export const hpNumber = (hp: HpRecord, name: string): number => hp[name] as number;
export const hpBoolean = (hp: HpRecord, name: string): boolean => hp[name] as boolean;
export const hpPair = (hp: HpRecord, name: string): [number, number] => {
  const [a, b] = hp[name] as number[];
  return [a, b];
};
