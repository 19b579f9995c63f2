/** The catalogue is derived from the registry: nothing in it is typed twice. */
import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { describeOptimizer, optimizerCatalog } from '../../../../src/core/optimizers/catalog';
import { OPTIMIZERS } from '../../../../src/core/optimizers/registry';
import type { OptimizerRule } from '../../../../src/core/rules/optimizerRule';
import { ruleFactory } from '../../../../src/core/rules/ruleFactory';
import { forEachBackend } from '../../helpers/backends';

describe('optimizer catalogue', () => forEachBackend(() => {
  it('describes every registered optimizer from its factory, leaving no tensor behind', () => {
    const before = tf.memory().numTensors;
    const catalog = optimizerCatalog();
    assert.equal(tf.memory().numTensors, before);
    assert.deepEqual(catalog.map((o) => o.id), OPTIMIZERS.map((o) => o.id));
    catalog.forEach((o, k) => {
      const f = OPTIMIZERS[k];
      assert.deepEqual([o.family, o.summary, o.reference, o.defaultLr], [f.family, f.summary, f.reference, f.defaultLr]);
      assert.deepEqual(o.hyperparams.map((h) => [h.name, h.default]), f.hyperparams.map((h) => [h.name, h.default]));
      // A torch class only where the factory matches one.
      assert.equal(o.torchClass !== undefined, f.torchName.startsWith('torch.optim.'), o.id);
    });
  });

  it('names the torch class alone when the reference adds a version, and none for a paper', () => {
    const rule = (reference: string): OptimizerRule => ({
      reference, defaults: { lr: 0.1 }, init: () => ({}), update: (g, s, p) => ({ param: p.sub(g), state: s }),
    });
    assert.equal(describeOptimizer(ruleFactory('af', rule('torch.optim.Adafactor (torch 2.5)'))).torchClass, 'torch.optim.Adafactor');
    const paper = describeOptimizer(ruleFactory('p', rule('Someone et al. 2024, arXiv:0000.00000')));
    assert.equal(paper.torchClass, undefined);
    assert.equal(paper.reference, 'Someone et al. 2024, arXiv:0000.00000');
    assert.deepEqual(paper.fastPath, { vector: true, matrix: true });
  });

  it('says why a rule does not compile (the reason the run would give)', () => {
    const readsValues: OptimizerRule = {
      defaults: { lr: 0.1 }, init: () => ({}),
      update: (g, s, p) => ({ param: p.sub(g.mul(g.abs().max().dataSync()[0])), state: s }),
    };
    const fastPath = describeOptimizer(ruleFactory('reads', readsValues)).fastPath;
    assert.deepEqual([fastPath.vector, fastPath.matrix], [false, false]);
    assert.match(fastPath.note ?? '', /optimizer rule 'reads' does not compile/);
  });
}));
