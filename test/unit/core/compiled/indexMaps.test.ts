import { strict as assert } from 'node:assert';
import { classifyMap, padMap, sliceMap } from '../../../../src/core/compiled/indexMaps';

/** classifyMap's patterns (each decides how a generated loop reads a view) and rank-1 slice and pad maps. */
describe('index maps', () => {
  const map = (values: number[]) => Int32Array.from(values);
  const cases: [string, number[], ReturnType<typeof classifyMap>][] = [
    ['empty', [], { kind: 'offset', k: 0 }],
    ['identity', [0, 1, 2, 3], { kind: 'offset', k: 0 }],
    ['shifted', [2, 3, 4], { kind: 'offset', k: 2 }],
    ['constant', [5, 5, 5], { kind: 'constant', at: 5 }],
    ['single element', [7], { kind: 'constant', at: 7 }],
    ['modulo (broadcast of a row)', [0, 1, 2, 0, 1, 2, 0, 1], { kind: 'modulo', m: 3 }],
    ['divide (broadcast of a column)', [0, 0, 0, 1, 1, 1, 2, 2], { kind: 'divide', d: 3 }],
    ['window, pads both ends', [-1, 0, 1, 2, -1, -1], { kind: 'window', lo: 1, hi: 4, k: -1 }],
    ['window, pad at the end', [3, 4, 5, -1], { kind: 'window', lo: 0, hi: 3, k: 3 }],
    ['all pads', [-1, -1], { kind: 'general', padded: true }],
    ['pads inside', [0, -1, 2], { kind: 'general', padded: true }],
    ['window with a jump', [-1, 0, 1, 5], { kind: 'general', padded: true }],
    ['permutation', [1, 0, 3, 2], { kind: 'general', padded: false }],
    ['modulo that breaks', [0, 1, 0, 1, 1], { kind: 'general', padded: false }],
    ['divide that breaks', [0, 0, 1, 1, 1], { kind: 'general', padded: false }],
  ];
  for (const [name, values, expected] of cases) {
    it(`classifies ${name}`, () => assert.deepEqual(classifyMap(map(values)), expected));
  }

  it('caches by map identity (a view read by several loops is classified once)', () => {
    const m = map([0, 1, 2]);
    assert.equal(classifyMap(m), classifyMap(m));
  });

  it('1-D slice and pad maps equal the same with a leading axis of 1', () => {
    assert.deepEqual(Array.from(sliceMap([6], [2], [3])), [2, 3, 4]);
    assert.deepEqual(Array.from(padMap([3], [[2, 1]], [6])), [-1, -1, 0, 1, 2, -1]);
    assert.deepEqual(Array.from(sliceMap([1, 6], [0, 2], [1, 3])), Array.from(sliceMap([6], [2], [3])));
    assert.deepEqual(Array.from(padMap([1, 3], [[0, 0], [2, 1]], [1, 6])), Array.from(padMap([3], [[2, 1]], [6])));
  });
});
