import { strict as assert } from 'node:assert';
import { parseSchedule } from '../../../../src/core/schedules/parseSchedule';
import { ScheduleError } from '../../../../src/core/schedules/scheduleError';
import { scheduleKinds, scheduleNames } from '../../../../src/core/schedules/scheduleKinds';
import type { Schedule } from '../../../../src/core/schedule';
import { loadScheduleFixture } from './scheduleFixture';

/** The lr of `steps` updates, feeding `losses` to a plateau schedule as a run would. */
function run(schedule: Schedule, steps: number, losses?: readonly number[]): number[] {
  return Array.from({ length: steps }, (_, k) => {
    const lr = schedule.lrAt(k);
    if (losses) schedule.observe(k, losses[k]);
    return lr;
  });
}

const fixture = loadScheduleFixture();

describe('parseSchedule', () => {
  describe('canonical specs', () => {
    it('writes every key with torch defaults', () => {
      assert.equal(parseSchedule(undefined, 0.1).spec, 'constant');
      assert.equal(parseSchedule('', 0.1).spec, 'constant');
      assert.equal(parseSchedule('step', 0.1).spec, 'step:step_size=30,gamma=0.1');
      assert.equal(parseSchedule('multistep', 0.1).spec, 'multistep:milestones=30;80,gamma=0.1');
      assert.equal(parseSchedule('exponential', 0.1).spec, 'exponential:gamma=0.99');
      assert.equal(parseSchedule('cosine', 0.1).spec, 'cosine:T_max=100,eta_min=0');
      assert.equal(parseSchedule('cosine-restarts', 0.1).spec, 'cosine-restarts:T_0=50,T_mult=1,eta_min=0');
      assert.equal(
        parseSchedule('onecycle', 0.1).spec,
        'onecycle:max_lr=0.1,total_steps=1000,pct_start=0.3,anneal_strategy=cos,div_factor=25,final_div_factor=10000,three_phase=false',
      );
      assert.equal(
        parseSchedule('plateau', 0.1).spec,
        'plateau:mode=min,factor=0.1,patience=10,threshold=0.0001,threshold_mode=rel,cooldown=0,min_lr=0,eps=1e-8',
      );
      assert.equal(parseSchedule('warmup', 0.1).spec, 'warmup:steps=10,start_factor=0.1+constant');
      assert.equal(parseSchedule('constantlr', 0.1).spec, 'constantlr:factor=0.3333333333333333,total_iters=5');
      assert.equal(parseSchedule('linear', 0.1).spec, 'linear:start_factor=0.3333333333333333,end_factor=1,total_iters=5');
      assert.equal(parseSchedule('polynomial', 0.1).spec, 'polynomial:total_iters=5,power=1');
      assert.equal(parseSchedule('multiplicative', 0.1).spec, 'multiplicative:factor=0.95');
      assert.equal(
        parseSchedule('cyclic', 0.1).spec,
        'cyclic:base_lr=0.01,max_lr=0.1,step_size_up=2000,step_size_down=2000,mode=triangular,gamma=1,scale_mode=cycle',
      );
      assert.equal(parseSchedule('sequential:milestones=5+constant+step', 0.1).spec, 'sequential:milestones=5+constant+step:step_size=30,gamma=0.1');
    });

    it("resolves cyclic's derived defaults as torch does: step_size_down = step_size_up, scale_mode the mode's own", () => {
      assert.match(parseSchedule('cyclic:step_size_up=7', 1).spec, /step_size_up=7,step_size_down=7,/);
      assert.match(parseSchedule('cyclic:step_size_up=7,step_size_down=3', 1).spec, /step_size_up=7,step_size_down=3,/);
      assert.match(parseSchedule('cyclic:mode=exp_range', 1).spec, /mode=exp_range,gamma=1,scale_mode=iterations$/);
      assert.match(parseSchedule('cyclic:mode=triangular2', 1).spec, /scale_mode=cycle$/);
      assert.match(parseSchedule('cyclic:mode=exp_range,scale_mode=cycle', 1).spec, /scale_mode=cycle$/);
    });

    it('writes compositions canonically: phases and members in canonical form, non-last composite phases in parentheses', () => {
      assert.equal(
        parseSchedule(' sequential : milestones = 10;50 + linear:total_iters=10 + cosine:T_max=40 + constant ', 0.1).spec,
        'sequential:milestones=10;50+linear:start_factor=0.3333333333333333,end_factor=1,total_iters=10+cosine:T_max=40,eta_min=0+constant',
      );
      assert.equal(parseSchedule('exponential * step:step_size=3', 0.1).spec, 'exponential:gamma=0.99*step:step_size=3,gamma=0.1');
      assert.equal(
        parseSchedule('sequential:milestones=4+(warmup:steps=2+exponential)+constant', 0.1).spec,
        'sequential:milestones=4+(warmup:steps=2,start_factor=0.1+exponential:gamma=0.99)+constant',
      );
      // A warmup or sequential as the last phase needs no parentheses; redundant ones go.
      assert.equal(
        parseSchedule('sequential:milestones=4+(constant)+(warmup:steps=2+constant)', 0.1).spec,
        'sequential:milestones=4+constant+warmup:steps=2,start_factor=0.1+constant',
      );
      assert.equal(
        parseSchedule('warmup:steps=3+exponential*multiplicative:factor=0.5', 0.1).spec,
        'warmup:steps=3,start_factor=0.1+exponential:gamma=0.99*multiplicative:factor=0.5',
      );
    });

    it('normalises order, spacing, number spelling and milestone order', () => {
      assert.equal(parseSchedule(' step : gamma = 5e-1 , step_size = 7 ', 1).spec, 'step:step_size=7,gamma=0.5');
      assert.equal(parseSchedule('multistep:milestones=80;10;10', 1).spec, 'multistep:milestones=10;10;80,gamma=0.1');
      assert.equal(parseSchedule('multistep:milestones=', 1).spec, 'multistep:milestones=,gamma=0.1');
      // A '+' inside a number (1e+2) does not start another schedule.
      assert.equal(
        parseSchedule('warmup:steps=5 + cosine:T_max=1e+2', 1).spec,
        'warmup:steps=5,start_factor=0.1+cosine:T_max=100,eta_min=0',
      );
    });

    const extra = [
      'multistep:milestones=,gamma=0.5',
      'sequential:milestones=10;20+(warmup:steps=3+exponential:gamma=0.9)+(sequential:milestones=2+step:step_size=1+cosine)+plateau:patience=2',
      'sequential:milestones=5+linear*exponential+warmup:steps=4+multiplicative:factor=0.9*cyclic:step_size_up=3',
      'sequential:milestones=7+plateau:patience=1,factor=0.5+multiplicative:factor=0.8',
      'sequential:milestones=30+onecycle:max_lr=0.3+constant',
      'warmup:steps=6+sequential:milestones=9;12+polynomial:power=2+constantlr+cyclic:mode=exp_range,gamma=0.99',
      'constantlr:factor=0.2*linear:end_factor=0.5*polynomial:total_iters=50*cosine-restarts:T_0=9*onecycle',
      'warmup:steps=3+warmup:steps=4,start_factor=0.5+exponential:gamma=0.9',
      'warmup:steps=7+plateau:patience=2,factor=0.5',
      'onecycle:max_lr=0.02,anneal_strategy=linear,three_phase=true',
    ];
    for (const { spec, baseLr, totalSteps, losses } of [...fixture.cases, ...extra.map((spec) => ({ spec, baseLr: 0.1, totalSteps: 300, losses: undefined }))]) {
      it(`round-trips ${spec}`, () => {
        const first = parseSchedule(spec, baseLr, totalSteps);
        // The canonical spec is complete: it no longer needs the run's length.
        const again = parseSchedule(first.spec, baseLr);
        assert.equal(again.spec, first.spec);
        assert.deepEqual(run(again, 300, losses), run(first, 300, losses));
      });
    }
  });

  it('defaults onecycle total_steps to the run, less any warmup, unless given', () => {
    assert.match(parseSchedule('onecycle', 0.1, 500).spec, /total_steps=500,/);
    assert.match(parseSchedule('onecycle:total_steps=40', 0.1, 500).spec, /total_steps=40,/);
    assert.match(parseSchedule('warmup:steps=100+onecycle', 0.1, 1000).spec, /\+onecycle:max_lr=0\.1,total_steps=900,/);
    assert.match(parseSchedule('cosine', 0.1, 500).spec, /T_max=100/);
  });

  it('ramps a warmup to onecycle\'s own initial lr, ignoring the base lr as torch does', () => {
    const s = parseSchedule('warmup:steps=4,start_factor=0.5+onecycle:max_lr=1,div_factor=10,total_steps=100', 123);
    // From 0.5·(1/10) to 1/10 over 4 steps, then onecycle's step 0 (also 1/10).
    run(s, 5).forEach((lr, k) => assert.ok(Math.abs(lr - [0.05, 0.0625, 0.075, 0.0875, 0.1][k]) < 1e-15, `step ${k}: ${lr}`));
  });

  it('knows every name it lists, each with its keys', () => {
    assert.deepEqual([...scheduleNames].sort(), [
      'constant', 'constantlr', 'cosine', 'cosine-restarts', 'cyclic', 'exponential', 'linear', 'multiplicative', 'multistep',
      'onecycle', 'plateau', 'polynomial', 'sequential', 'step', 'warmup',
    ]);
    for (const name of Object.keys(scheduleKinds)) {
      const s = parseSchedule(name, 0.1, 100);
      for (const key of Object.keys(scheduleKinds[name].defaults)) assert.ok(s.spec.includes(`${key}=`), `${name} lacks ${key}`);
    }
    assert.match(parseSchedule('warmup', 0.1).spec, /^warmup:steps=\d+,start_factor=/);
    assert.match(parseSchedule('sequential:milestones=3+step+step', 0.1).spec, /^sequential:milestones=3\+step:/);
  });

  it("gives each phase of a sequential its own length as onecycle's default total_steps", () => {
    assert.match(parseSchedule('sequential:milestones=40;100+exponential+onecycle+constant', 0.1, 500).spec, /\+onecycle:max_lr=0\.1,total_steps=60,/);
    // Without the run's length a middle phase still has one; the last runs to the end of the run, or torch's 1000.
    assert.match(parseSchedule('sequential:milestones=40;100+exponential+onecycle+constant', 0.1).spec, /\+onecycle:max_lr=0\.1,total_steps=60,/);
    assert.match(parseSchedule('sequential:milestones=40+exponential+onecycle', 0.1, 500).spec, /\+onecycle:max_lr=0\.1,total_steps=460,/);
    assert.match(parseSchedule('sequential:milestones=40+exponential+onecycle', 0.1).spec, /\+onecycle:max_lr=0\.1,total_steps=1000,/);
    assert.match(parseSchedule('exponential*onecycle', 0.1, 321).spec, /\*onecycle:max_lr=0\.1,total_steps=321,/);
  });

  describe('errors', () => {
    const rejects = (spec: string, pattern: RegExp, baseLr = 0.1, totalSteps?: number) =>
      it(`rejects ${JSON.stringify(spec)}${baseLr !== 0.1 ? ` at lr ${baseLr}` : ''}${totalSteps ? ` over ${totalSteps} steps` : ''}`, () => {
        assert.throws(() => parseSchedule(spec, baseLr, totalSteps), (e: unknown) => {
          assert.ok(e instanceof ScheduleError, `not a ScheduleError: ${String(e)}`);
          assert.match(e.message, pattern);
          return true;
        });
      });
    rejects(
      'cosin',
      /unknown schedule 'cosin'; valid: constant, step, multistep, exponential, cosine, cosine-restarts, onecycle, plateau, constantlr, linear, polynomial, multiplicative, cyclic, warmup, sequential$/,
    );
    rejects('warmup:steps=5+bogus:x=1', /unknown schedule 'bogus'; valid: /);
    rejects('step:size=3', /unknown key 'size' for schedule 'step'; valid keys: step_size, gamma/);
    rejects('constant:gamma=1', /unknown key 'gamma' for schedule 'constant'; valid keys: \(none\)/);
    rejects('plateau:patiense=3', /valid keys: mode, factor, patience, threshold, threshold_mode, cooldown, min_lr, eps/);
    rejects('step:gamma', /'gamma' for schedule 'step' needs a value/);
    rejects('step:gamma=0.1,gamma=0.2', /'gamma' is given twice/);
    rejects('step:gamma=abc', /gamma for schedule 'step' must be a finite number, got 'abc'/);
    rejects('exponential:gamma=Infinity', /must be a finite number/);
    rejects('step:step_size=0', /step_size for schedule 'step' must be an integer >= 1, got 0/);
    rejects('step:step_size=2.5', /step_size .* an integer >= 1, got 2.5/);
    rejects('step:gamma=-0.1', /gamma for schedule 'step' must be >= 0, got -0.1/);
    rejects('exponential:gamma=-0.5', /gamma for schedule 'exponential' must be >= 0, got -0.5/);
    rejects('multistep:gamma=-1', /gamma .* >= 0/);
    rejects('multistep:milestones=10;x', /milestones .* finite number, got 'x'/);
    rejects('multistep:milestones=10;-5', /milestones for schedule 'multistep' must be integers >= 0, got 10;-5/);
    rejects('cosine:T_max=0', /T_max for schedule 'cosine' must be > 0/);
    rejects('cosine:eta_min=-1', /eta_min .* >= 0/);
    rejects('cosine-restarts:T_0=0', /T_0 for schedule 'cosine-restarts' must be an integer >= 1, got 0/);
    rejects('cosine-restarts:T_0=2.5', /T_0 .* integer >= 1, got 2.5/);
    rejects('cosine-restarts:T_mult=0', /T_mult for schedule 'cosine-restarts' must be an integer >= 1, got 0/);
    rejects('cosine-restarts:T_mult=1.5', /T_mult .* integer >= 1, got 1.5/);
    rejects('onecycle:pct_start=0', /pct_start for schedule 'onecycle' must be in \(0, 1\), got 0/);
    rejects('onecycle:pct_start=1', /pct_start .* in \(0, 1\), got 1/);
    rejects('onecycle:pct_start=1.2', /pct_start .* got 1.2/);
    rejects('onecycle:max_lr=0', /max_lr .* > 0/);
    rejects('onecycle:div_factor=0', /div_factor .* > 0/);
    rejects('onecycle:final_div_factor=-3', /final_div_factor .* > 0/);
    rejects('onecycle:total_steps=0', /total_steps .* integer >= 1, got 0/);
    rejects('onecycle:anneal_strategy=exp', /anneal_strategy .* cos or linear, got exp/);
    rejects('onecycle:three_phase=yes', /three_phase for schedule 'onecycle' must be true or false, got 'yes'/);
    rejects('onecycle:total_steps=3', /total_steps=3 is too short for pct_start=0.3/);
    rejects('onecycle:pct_start=0.6,three_phase=true', /too short for pct_start=0.6 with three_phase/);
    rejects('plateau:mode=median', /mode for schedule 'plateau' must be min or max, got median/);
    rejects('plateau:factor=1', /factor .* in \[0, 1\), got 1/);
    rejects('plateau:patience=-1', /patience .* integer >= 0/);
    rejects('plateau:threshold_mode=relative', /threshold_mode .* rel or abs/);
    rejects('plateau:cooldown=0.5', /cooldown .* integer >= 0/);
    rejects('plateau:min_lr=-1', /min_lr .* >= 0/);
    rejects('warmup:steps=0', /steps for schedule 'warmup' must be an integer >= 1, got 0/);
    rejects('warmup:start_factor=0+cosine', /start_factor for schedule 'warmup' must be in \(0, 1\], got 0/);
    rejects('warmup:start_factor=1.5', /start_factor .* got 1.5/);
    rejects('step+cosine', /only warmup and sequential can be followed by '\+<schedule>' \('step' was followed by '\+cosine'\)/);
    rejects('constantlr:factor=0', /factor for schedule 'constantlr' must be in \(0, 1\], got 0/);
    rejects('constantlr:factor=1.5', /factor .* in \(0, 1\], got 1.5/);
    rejects('constantlr:total_iters=0', /total_iters for schedule 'constantlr' must be an integer >= 1, got 0/);
    rejects('linear:start_factor=0', /start_factor for schedule 'linear' must be in \(0, 1\], got 0/);
    rejects('linear:end_factor=1.1', /end_factor for schedule 'linear' must be in \[0, 1\], got 1.1/);
    rejects('linear:total_iters=2.5', /total_iters for schedule 'linear' must be an integer >= 1, got 2.5/);
    rejects('polynomial:total_iters=0', /total_iters for schedule 'polynomial' must be an integer >= 1/);
    rejects('polynomial:power=-1', /power for schedule 'polynomial' must be >= 0, got -1/);
    rejects('multiplicative:factor=-0.5', /factor for schedule 'multiplicative' must be >= 0, got -0.5/);
    rejects('multiplicative:lr_lambda=2', /unknown key 'lr_lambda' for schedule 'multiplicative'; valid keys: factor/);
    rejects('cyclic:mode=triangle', /mode for schedule 'cyclic' must be triangular, triangular2 or exp_range, got triangle/);
    rejects('cyclic:gamma=1.5', /gamma for schedule 'cyclic' must be in \(0, 1\], got 1.5/);
    rejects('cyclic:step_size_up=0', /step_size_up for schedule 'cyclic' must be > 0, got 0/);
    rejects('cyclic:step_size_down=-2', /step_size_down .* > 0, got -2/);
    rejects('cyclic:base_lr=-1', /base_lr for schedule 'cyclic' must be >= 0/);
    rejects('cyclic:scale_mode=epoch', /scale_mode for schedule 'cyclic' must be cycle or iterations, got epoch/);
    rejects('cyclic:cycle_momentum=true', /unknown key 'cycle_momentum' for schedule 'cyclic'/);
    rejects('sequential', /'sequential' needs 1 phase after it \(one more than its milestones\), got 0/);
    rejects('sequential:milestones=5;9+step+cosine', /needs 3 phases after it .*, got 2/);
    rejects('sequential:milestones=5+warmup:steps=2+cosine', /needs 2 phases .*got 1 \(a warmup or sequential phase that is not the last goes in parentheses\)/);
    rejects('sequential:milestones=9;5+step+step+step', /milestones for schedule 'sequential' must be strictly increasing integers >= 1, got 9;5/);
    rejects('sequential:milestones=5;5+step+step+step', /strictly increasing .* got 5;5/);
    rejects('sequential:milestones=0+step+step', /integers >= 1, got 0/);
    rejects('sequential:steps=3+step', /unknown key 'steps' for schedule 'sequential'; valid keys: milestones/);
    rejects('sequential:milestones=4+step+step+cosine', /'sequential:milestones=4' takes 2 phases \(one more than its milestones\); '\+cosine' is more than that/);
    rejects('step*plateau', /'plateau:.*' cannot be a member of a chain \(A\*B\): members are single torch schedules other than constant and plateau/);
    rejects('constant*step', /'constant' cannot be a member of a chain/);
    rejects('step*(warmup+step)', /'warmup:.*' cannot be a member of a chain/);
    rejects('step*(exponential*step)', /cannot be a member of a chain/);
    rejects('step*', /empty schedule in 'step\*'/);
    rejects('(step', /unbalanced '\(' in schedule '\(step'/);
    rejects('step)', /unbalanced '\)'/);
    rejects('st(ep)', /misplaced parenthesis in schedule 'st\(ep\)'/);
    rejects('onecycle*onecycle', /a composition may hold one onecycle, this one holds 2/);
    rejects('sequential:milestones=5+onecycle+warmup+onecycle', /may hold one onecycle, this one holds 2/);
    rejects('step*bogus', /unknown schedule 'bogus'/);
    rejects('constant', /base lr must be a finite number >= 0, got NaN/, NaN);
    rejects('step', /base lr .* got -1/, -1);
    rejects('onecycle', /total steps must be an integer >= 1, got 0/, 0.1, 0);
  });
});
