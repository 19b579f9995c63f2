import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { forEachBackend } from '../../helpers/backends';
import { firstParityMismatch } from '../../helpers/torchFixtures';
import { LINEAR_NET_SHAPES, linearNetConstants, loadReferenceFixtures, runCompiled, runOnTensors } from '../../helpers/referenceFixtures';

/**
 * adafactor and muon against their Python references (test/fixtures/reference/adafactor.py: a transcription
 * of torch 2.5's Adafactor; muon.py: of KellerJordan/Muon with Newton–Schulz in float32), relative 1e-3 at
 * every one of 200 steps as the torch parity test, on tensors and compiled: generate.py's three vector
 * functions and linear_net.py's network with a wide matrix, a tall matrix and a vector.
 */
const FILES = ['adafactor.json', 'muon.json'] as const;

describe('adafactor and muon against their Python references (committed fixtures)', () => {
  it('linear_net: the TS problem is built from the same constants as the fixtures', () => {
    const { X, Y, x0 } = linearNetConstants();
    for (const file of FILES) {
      const net = loadReferenceFixtures(file).fixtures.find((f) => f.function.name === 'linear_net');
      assert.ok(net, `${file} has the linear_net fixture`);
      assert.deepEqual(net.function.X, X);
      assert.deepEqual(net.function.Y, Y);
      assert.deepEqual(net.x0, x0);
      assert.deepEqual(net.function.shapes, LINEAR_NET_SHAPES);
    }
  });

  forEachBackend((backend) => {
    for (const file of FILES) {
      const { steps, fixtures } = loadReferenceFixtures(file);
      for (const fixture of fixtures) {
        for (const c of fixture.cases) {
          const label = `${fixture.function.name}/${c.name} (lr ${c.lr}, ${JSON.stringify(c.hp)})`;
          for (const [form, run] of [['tensors', runOnTensors], ['compiled', runCompiled]] as const) {
            it(`${label} on ${form}`, async function () {
              const before = tf.memory().numTensors;
              const ours = await run(fixture, c, steps);
              // A rule that does not compile at these shapes runs on tensors (covered by the case above).
              if (typeof ours === 'string') {
                assert.equal(tf.memory().numTensors, before, 'tensors leaked');
                this.skip();
              }
              const bad = firstParityMismatch(ours, c.losses);
              assert.equal(bad, undefined, `${label} ${form} on ${backend}: ${bad}`);
              assert.equal(tf.memory().numTensors, before, 'tensors leaked');
            });
          }
        }
      }
    }
  });
});
