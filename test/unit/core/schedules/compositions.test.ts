import { strict as assert } from 'node:assert';
import { parseSchedule } from '../../../../src/core/schedules/parseSchedule';
import { sampleSchedule } from '../../../../src/core/schedules/sampleSchedule';

/** Equal to 1e-12 relative at every step (the expectations below are worked out by hand or quoted from torch's docs). */
function assertLrs(spec: string, baseLr: number, expected: readonly number[]): void {
  const ours = sampleSchedule(parseSchedule(spec, baseLr), expected.length);
  expected.forEach((e, k) => assert.ok(Math.abs(ours[k] - e) <= 1e-12 * Math.abs(e), `${spec} step ${k}: ${ours[k]}, expected ${e}`));
}

describe("schedules: torch's documentation examples", () => {
  it('ConstantLR(factor=0.5, total_iters=4), lr 0.05', () => assertLrs('constantlr:factor=0.5,total_iters=4', 0.05, [0.025, 0.025, 0.025, 0.025, 0.05, 0.05]));
  it('LinearLR(start_factor=0.5, total_iters=4), lr 0.05', () => assertLrs('linear:start_factor=0.5,total_iters=4', 0.05, [0.025, 0.03125, 0.0375, 0.04375, 0.05, 0.05]));
  it('PolynomialLR(total_iters=4, power=1), lr 0.001', () => assertLrs('polynomial:total_iters=4,power=1', 0.001, [0.001, 0.00075, 0.0005, 0.00025, 0, 0]));
  // These two docstrings are one step off what torch 1.13 computes (its docs say 0.1, 0.1, 0.9, 0.81 and
  // 0.09, 0.081, 0.729, 0.6561): at the milestone ExponentialLR restarts at γ^0 (step(0)), and ExponentialLR's
  // initial step does not multiply. The numbers here are torch's get_last_lr(), checked with torch 1.13.
  it('SequentialLR([ConstantLR(factor=0.1, total_iters=2), ExponentialLR(0.9)], milestones=[2]), lr 1', () =>
    assertLrs('sequential:milestones=2+constantlr:factor=0.1,total_iters=2+exponential:gamma=0.9', 1, [0.1, 0.1, 1, 0.9, 0.81]));
  it('ChainedScheduler([ConstantLR(factor=0.1, total_iters=2), ExponentialLR(0.9)]), lr 1', () =>
    assertLrs('constantlr:factor=0.1,total_iters=2*exponential:gamma=0.9', 1, [0.1, 0.09, 0.81, 0.729, 0.6561]));
});

describe('schedules: torch 1.13 quirks, by hand', () => {
  it('MultiplicativeLR after a milestone goes on from the lr the previous phase reached (it has no closed form for step(0))', () => {
    // Linear 0.5 -> 1 over 4 steps: 0.5, 0.625, 0.75; then at the milestone (step 3) the lr stays 0.75 and is multiplied from step 4.
    assertLrs('sequential:milestones=3+linear:start_factor=0.5,total_iters=4+multiplicative:factor=0.9', 1, [0.5, 0.625, 0.75, 0.75, 0.675, 0.6075]);
  });

  it('a schedule with a closed form restarts at its milestone from its own base lr', () => {
    assertLrs('sequential:milestones=3+linear:start_factor=0.5,total_iters=4+exponential:gamma=0.9', 1, [0.5, 0.625, 0.75, 1, 0.9, 0.81]);
  });

  it('a cyclic built after another scheduler starts the chain at the initial lr (its initial step runs before its own base_lr is set)', () => {
    // Exponential first (initial_lr 0.5), then cyclic 0.01 -> 0.1 over 20 steps: step 0 is 0.5; from step 1 cyclic sets the lr, exponential
    // (stepped before it) counts for nothing.
    assertLrs('exponential:gamma=0.5*cyclic:base_lr=0.01,max_lr=0.1,step_size_up=20', 0.5, [0.5, 0.0145, 0.019, 0.0235]);
    // The other order: cyclic sets the lr, then exponential multiplies in one step's change (γ), not γ^k.
    assertLrs('cyclic:base_lr=0.01,max_lr=0.1,step_size_up=20*exponential:gamma=0.5', 0.5, [0.01, 0.00725, 0.0095, 0.01175]);
  });

  it('a onecycle phase sets the initial lr the phases before it ramp to', () => {
    // onecycle max_lr 1, div_factor 10: initial lr 0.1; the warmup phase climbs 0.05 -> 0.1 whatever the base lr.
    assertLrs('sequential:milestones=2+linear:start_factor=0.5,total_iters=2+onecycle:max_lr=1,div_factor=10,total_steps=50', 7, [0.05, 0.075, 0.1]);
  });
});

describe('schedules: compositions torch cannot build', () => {
  it('a parenthesised warmup phase restarts from its own step 0 at its milestone, from the run\'s lr', () => {
    assertLrs('sequential:milestones=3;7+constant+(warmup:steps=2,start_factor=0.5+exponential:gamma=0.5)+constant', 1, [1, 1, 1, 0.5, 0.75, 1, 0.5, 1]);
  });

  it('a chain as a phase restarts at its milestone (torch\'s SequentialLR cannot hold a ChainedScheduler)', () => {
    // Product of linear 0.5 -> 1 over 2 steps and 0.5^k, from step 2.
    assertLrs('sequential:milestones=2+exponential:gamma=0.5+linear:start_factor=0.5,total_iters=2*exponential:gamma=0.5', 1, [1, 0.5, 0.5, 0.375, 0.25, 0.125]);
  });

  it('a chain after a warmup', () => {
    assertLrs('warmup:steps=2,start_factor=0.5+exponential:gamma=0.5*step:step_size=2,gamma=0.1', 1, [0.5, 0.75, 1, 0.5, 0.025, 0.0125]);
  });

  it('a plateau phase is fed the losses of its own steps; a multiplicative phase after it starts from the lr it reached', () => {
    const s = parseSchedule('sequential:milestones=2;6+constant+plateau:patience=0,factor=0.5+multiplicative:factor=0.5', 1);
    assert.equal(s.needsLoss, true);
    // Before any loss the preview holds the plateau's initial lr.
    assert.deepEqual(sampleSchedule(s, 8), [1, 1, 1, 1, 1, 1, 1, 0.5]);
    // Losses of steps 0, 1 (constant phase) are not the plateau's; from its second step every loss is worse than its first, so it
    // halves the lr after each (patience 0): 1, 1, 0.5, 0.25 at steps 2..5. The multiplicative phase keeps step 5's lr at step 6.
    [100, 100, 1, 2, 3, 4].forEach((loss, k) => s.observe(k, loss));
    assert.deepEqual(sampleSchedule(s, 8), [1, 1, 1, 1, 0.5, 0.25, 0.25, 0.125]);
  });
});
