import { strict as assert } from 'node:assert';
import { betterHalf, rungSteps } from '../../../../src/core/tuning/halving';
import { searchPoints } from '../../../../src/core/tuning/search';
import { SearchSpaceError, gridPoints, gridValues, parseDimension, pointAt } from '../../../../src/core/tuning/searchSpace';
import { Sobol } from '../../../../src/core/tuning/sobol';

describe('tuning: search spaces', () => {
  it('a log range has count values from `from` to `to`, evenly spaced in log', () => {
    const values = gridValues(parseDimension('lr=1e-4:1e-1:log:4')).map(Number);
    // 1e-4, 1e-3, 1e-2, 1e-1 (a decade apart).
    [1e-4, 1e-3, 1e-2, 1e-1].forEach((v, k) => assert.ok(Math.abs(values[k] - v) <= 1e-15 * v, `${values[k]} vs ${v}`));
  });

  it('a linear range and a one-point range', () => {
    const linear = gridValues(parseDimension('momentum=0:0.9:lin:4')).map(Number);
    [0, 0.3, 0.6, 0.9].forEach((v, k) => assert.ok(Math.abs(linear[k] - v) < 1e-15, `${linear[k]} vs ${v}`));
    assert.deepEqual(gridValues(parseDimension('lr=0.01:1:log:1')), ['0.01']);
  });

  it("a comma list, and ';' between tuple alternatives", () => {
    assert.deepEqual(parseDimension('momentum=0,0.5,0.9'), { name: 'momentum', kind: 'list', values: ['0', '0.5', '0.9'] });
    assert.deepEqual(parseDimension('betas=0.9,0.999;0.8,0.99'), { name: 'betas', kind: 'list', values: ['0.9,0.999', '0.8,0.99'] });
    assert.deepEqual(parseDimension('nesterov=true,false').kind, 'list');
  });

  it('several dimensions form the product, the last varying fastest', () => {
    const points = gridPoints([parseDimension('lr=0.1,0.2'), parseDimension('momentum=0,0.9')]);
    assert.deepEqual(points, [
      { lr: '0.1', momentum: '0' }, { lr: '0.1', momentum: '0.9' }, { lr: '0.2', momentum: '0' }, { lr: '0.2', momentum: '0.9' },
    ]);
  });

  it('mistakes are named', () => {
    assert.throws(() => parseDimension('lr'), SearchSpaceError);
    assert.throws(() => parseDimension('lr=0:1:log:4'), /log range needs from > 0/);
    assert.throws(() => parseDimension('lr=1e-4:1e-1:log:0'), /count must be a positive integer/);
    assert.throws(() => parseDimension('lr=1e-4:x:log:4'), /to must be a number/);
    assert.throws(() => parseDimension('momentum=0,,1'), /empty value/);
    assert.throws(() => gridPoints([parseDimension('lr=1e-4:1e-1:log')]), /a grid needs a count/);
    assert.throws(() => gridPoints([parseDimension('lr=0.1'), parseDimension('lr=0.2')]), /given twice/);
  });

  it('pointAt maps unit coordinates: log and linear ranges, lists by equal shares', () => {
    const dims = [parseDimension('lr=1e-4:1e-2:log'), parseDimension('m=0:1:lin'), parseDimension('b=a,b,c')];
    const p = pointAt(dims, [0.5, 0.25, 0.7]);
    assert.ok(Math.abs(Number(p.lr) - 1e-3) < 1e-15);
    assert.equal(Number(p.m), 0.25);
    assert.equal(p.b, 'c');
  });
});

describe('tuning: Sobol points', () => {
  it('match torch.quasirandom.SobolEngine(5, scramble=False).draw(10)', () => {
    // Printed by torch 1.13 (Joe & Kuo's direction numbers, the same table).
    const torch = [
      [0, 0, 0, 0, 0], [0.5, 0.5, 0.5, 0.5, 0.5], [0.75, 0.25, 0.25, 0.25, 0.75], [0.25, 0.75, 0.75, 0.75, 0.25],
      [0.375, 0.375, 0.625, 0.875, 0.375], [0.875, 0.875, 0.125, 0.375, 0.875], [0.625, 0.125, 0.875, 0.625, 0.625],
      [0.125, 0.625, 0.375, 0.125, 0.125], [0.1875, 0.3125, 0.9375, 0.4375, 0.5625], [0.6875, 0.8125, 0.4375, 0.9375, 0.0625],
    ];
    const sobol = new Sobol(5);
    torch.forEach((row, i) => assert.deepEqual(sobol.point(i), row, `point ${i}`));
  });

  it('a seed shifts every point the same way: still one point per cell of a 2^k grid', () => {
    const shifted = new Sobol(2, 7);
    const cells = new Set(Array.from({ length: 16 }, (_, i) => shifted.point(i).map((u) => Math.floor(u * 4)).join(',')));
    // 16 points of a (0, m, 2)-net: each of the 4×4 cells holds exactly one.
    assert.equal(cells.size, 16);
    assert.notDeepEqual(shifted.point(0), [0, 0]);
  });
});

describe('tuning: searches', () => {
  const dims = [parseDimension('lr=1e-4:1e-1:log'), parseDimension('momentum=0,0.5,0.9')];
  for (const method of ['random', 'sobol'] as const) {
    it(`${method}: the same seed gives the same trials, another seed others, all inside the ranges`, () => {
      const a = searchPoints(dims, 12, method, 3);
      assert.deepEqual(searchPoints(dims, 12, method, 3), a);
      assert.notDeepEqual(searchPoints(dims, 12, method, 4), a);
      for (const p of a) {
        assert.ok(Number(p.lr) >= 1e-4 && Number(p.lr) <= 1e-1, p.lr);
        assert.ok(['0', '0.5', '0.9'].includes(p.momentum));
      }
    });
  }
});

describe('tuning: successive halving', () => {
  it('rungs at 1/8, 1/4 and 1/2 of the steps', () => {
    assert.deepEqual(rungSteps(800), [100, 200, 400]);
    assert.deepEqual(rungSteps(4), [1, 2]);
  });

  it('keeps the better half by loss, NaN last, ties to the earlier trial', () => {
    const entries = [
      { trial: 0, loss: 3 }, { trial: 1, loss: NaN }, { trial: 2, loss: 0.5 }, { trial: 3, loss: 2 }, { trial: 4, loss: 0.5 },
    ];
    // Sorted by hand: 2 (0.5), 4 (0.5), 3 (2), 0 (3), 1 (NaN); the better half of 5 is 3 trials.
    assert.deepEqual(betterHalf(entries), [2, 4, 3]);
  });
});
