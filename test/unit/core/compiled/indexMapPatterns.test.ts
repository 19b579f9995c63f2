import { strict as assert } from 'node:assert';
import {
  broadcastMap, broadcastPattern, classifyMap, reductionMap, reductionPattern, reverseMap, sliceMap, transposeMap,
} from '../../../../src/core/compiled/indexMaps';
import { flatAt, indices } from '../../helpers/multiIndex';

/**
 * Fusion reads a broadcast and places a reduction by pattern without building a map of the tensor's
 * size (broadcastPattern, reductionPattern): whenever they name a pattern it is the one classifyMap
 * finds in the map, over every small shape and axis set; the maps built a row at a time (broadcasts,
 * slices, transposes, reversals, reductions) are the element-by-element definitions.
 */


/** Shapes of rank 1 to 3 with extents 1, 2, 3 and 4. */
const SHAPES: number[][] = [];
for (const rank of [1, 2, 3]) {
  for (let code = 0; code < 4 ** rank; code++) SHAPES.push(Array.from({ length: rank }, (_, d) => 1 + (Math.floor(code / 4 ** d) % 4)));
}

/** The subsets of a rank's axes. */
const axesSets = (rank: number): number[][] => Array.from({ length: 2 ** rank }, (_, bits) => [...Array(rank).keys()].filter((d) => bits & (1 << d)));

describe('index maps by pattern and built a row at a time', () => {
  it('broadcastPattern is classifyMap(broadcastMap) whenever it names a pattern, and names the row and column cases', () => {
    let named = 0;
    for (const outShape of SHAPES) {
      for (const keep of axesSets(outShape.length)) {
        // inShape: outShape with the axes not kept set to 1, and optionally without its leading axis.
        for (const drop of [0, 1]) {
          const inShape = outShape.map((e, d) => (keep.includes(d) ? e : 1)).slice(drop && outShape.length > 1 && !keep.includes(0) ? 1 : 0);
          const pattern = broadcastPattern(inShape, outShape);
          const map = broadcastMap(inShape, outShape);
          const reference = Array.from(indices(outShape), (index) => flatAt(inShape, index.slice(outShape.length - inShape.length).map((i, d) => (inShape[d] === 1 ? 0 : i))));
          assert.deepEqual(Array.from(map), reference, `broadcastMap ${inShape} → ${outShape}`);
          if (!pattern) continue;
          named++;
          assert.deepEqual(pattern, classifyMap(Int32Array.from(reference)), `broadcastPattern ${inShape} → ${outShape}`);
        }
      }
    }
    assert.deepEqual(broadcastPattern([64], [8, 32, 64]), { kind: 'modulo', m: 64 });
    assert.deepEqual(broadcastPattern([8, 32, 1], [8, 32, 64]), { kind: 'divide', d: 64 });
    assert.equal(broadcastPattern([8, 1, 64], [8, 32, 64]), undefined);
    assert.ok(named > 100, `only ${named} cases had a pattern`);
  });

  it('reductionPattern is classifyMap(reductionMap) whenever it names a pattern, and names rows and columns', () => {
    let named = 0;
    for (const shape of SHAPES) {
      for (const axes of axesSets(shape.length)) {
        const map = reductionMap(shape, axes);
        const kept = shape.map((_, d) => d).filter((d) => !axes.includes(d));
        const reference = Array.from(indices(shape), (index) => flatAt(kept.map((d) => shape[d]), kept.map((d) => index[d])));
        assert.deepEqual(Array.from(map), reference, `reductionMap ${shape} over ${axes}`);
        const pattern = reductionPattern(shape, axes);
        if (!pattern) continue;
        named++;
        assert.deepEqual(pattern, classifyMap(Int32Array.from(reference)), `reductionPattern ${shape} over ${axes}`);
      }
    }
    assert.deepEqual(reductionPattern([8, 32, 64], [2]), { kind: 'divide', d: 64 });
    assert.deepEqual(reductionPattern([8, 32, 64], [0, 1]), { kind: 'modulo', m: 64 });
    assert.equal(reductionPattern([8, 32, 64], [1]), undefined);
    assert.ok(named > 50, `only ${named} cases had a pattern`);
  });

  it('slices, transposes and reversals built a row at a time are the element-by-element maps', () => {
    for (const shape of SHAPES.filter((s) => s.length >= 2)) {
      const begin = shape.map((e) => (e > 1 ? 1 : 0));
      const size = shape.map((e, d) => e - begin[d]);
      assert.deepEqual(Array.from(sliceMap(shape, begin, size)), Array.from(indices(size), (index) => flatAt(shape, index.map((i, d) => i + begin[d]))), `slice of ${shape}`);
      const perm = shape.map((_, d) => shape.length - 1 - d);
      const transposed = perm.map((p) => shape[p]);
      assert.deepEqual(Array.from(transposeMap(shape, perm, transposed)), Array.from(indices(transposed), (index) => flatAt(shape, perm.map((_, d) => index[perm.indexOf(d)]))), `transpose of ${shape}`);
      for (const axes of axesSets(shape.length)) {
        const reference = Array.from(indices(shape), (index) => flatAt(shape, index.map((i, d) => (axes.includes(d) ? shape[d] - 1 - i : i))));
        assert.deepEqual(Array.from(reverseMap(shape, axes)), reference, `reverse of ${shape} along ${axes}`);
      }
    }
  });
});
