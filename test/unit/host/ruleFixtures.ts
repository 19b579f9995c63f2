/** Optimizer rule files as users write them (README's contract), shared by the host's tests. */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.join(__dirname, '../../..');

/**
 * Copies the examples into a user's workspace as a user would have them: rule examples import the
 * contract from its repository source (the repository has no 'optimizer-lab' module), a user's
 * file from 'optimizer-lab', so the copy checks the examples against the shipped declarations.
 */
export function copyExamplesAsUserFiles(dest: string): string[] {
  const examples = path.join(root, 'examples');
  fs.mkdirSync(dest, { recursive: true });
  const files = fs.readdirSync(examples).filter((f) => f.endsWith('.ts'));
  for (const f of files) {
    const text = fs.readFileSync(path.join(examples, f), 'utf8');
    fs.writeFileSync(path.join(dest, f), text.replace(/from '(?:\.\.\/)+src\/core\/rules\/optimizerRule'/g, "from 'optimizer-lab'"));
  }
  return files.map((f) => path.join(dest, f));
}

/** dist/types as the build makes it, rebuilt when missing or older than the rule contract it copies. */
export function ensureShippedTypes(): void {
  const rule = path.join(root, 'dist/types/optimizer-lab/optimizerRule.d.ts');
  const fresh = fs.existsSync(rule) && fs.statSync(rule).mtimeMs >= fs.statSync(path.join(root, 'src/core/rules/optimizerRule.ts')).mtimeMs;
  if (!fresh || !fs.existsSync(path.join(root, 'dist/types/tfjs/index.d.ts'))) execFileSync(process.execPath, [path.join(root, 'scripts/buildTypes.mjs')]);
}

export const LION_RULE = `import * as tf from '@tensorflow/tfjs';
import type { OptimizerRule } from 'optimizer-lab';

export const lion: OptimizerRule<{ m: tf.Tensor }, { lr: number; beta1: number; beta2: number; weight_decay: number }> = {
  defaults: { lr: 1e-4, beta1: 0.9, beta2: 0.99, weight_decay: 0 },
  init: (param) => ({ m: tf.zerosLike(param) }),
  update: (grad, state, param, hp, ctx) => {
    void ctx;
    const c = state.m.mul(hp.beta1).add(grad.mul(1 - hp.beta1));
    const next = param.mul(1 - hp.lr * hp.weight_decay).sub(c.sign().mul(hp.lr));
    return { param: next, state: { m: state.m.mul(hp.beta2).add(grad.mul(1 - hp.beta2)) } };
  },
};
`;

export const ADAM_RULE = `import * as tf from '@tensorflow/tfjs';
import type { OptimizerRule } from 'optimizer-lab';

type AdamState = { m: tf.Tensor; v: tf.Tensor };
type AdamHp = { lr: number; beta1: number; beta2: number; eps: number };

/** Adam written as a rule: bias corrections from ctx.step. */
export const myAdam: OptimizerRule<AdamState, AdamHp> = {
  summary: 'Adam, by hand',
  defaults: { lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-8 },
  init(param) {
    return { m: tf.zerosLike(param), v: tf.zerosLike(param) };
  },
  update(grad, state, param, hp, ctx) {
    const m = state.m.mul(hp.beta1).add(grad.mul(1 - hp.beta1));
    const v = state.v.mul(hp.beta2).add(grad.square().mul(1 - hp.beta2));
    const mHat = m.div(1 - Math.pow(hp.beta1, ctx.step));
    const vHat = v.div(1 - Math.pow(hp.beta2, ctx.step));
    return { param: param.sub(mHat.div(vHat.sqrt().add(hp.eps)).mul(hp.lr)), state: { m, v } };
  },
};
`;

/** Returns a number where the new parameter tensor belongs: a type error. */
export const BAD_RULE = `import * as tf from '@tensorflow/tfjs';
import type { OptimizerRule } from 'optimizer-lab';

export const broken: OptimizerRule<{ m: tf.Tensor }> = {
  defaults: { lr: 0.1 },
  init: (param) => ({ m: tf.zerosLike(param) }),
  update: (grad, state) => ({ param: 0, state }),
};
`;
