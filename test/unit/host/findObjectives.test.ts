import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findSites } from '../../../src/host/discovery/findSites';

const findObjectives = (text: string) => [...findSites(text).objectives];

const examples = path.join(__dirname, '../../../examples');

describe('findObjectives', () => {
  it('finds the objectives of the examples at their declaration lines', () => {
    const text = fs.readFileSync(path.join(examples, 'rosenbrock.ts'), 'utf8');
    const sites = findObjectives(text);
    assert.deepEqual(sites.map((s) => s.name), ['rosenbrock']);
    const line = text.split('\n')[sites[0].line];
    assert.match(line, /^export function rosenbrock/);
    assert.equal(sites[0].column, 0);
    assert.equal(sites[0].exported, true);
    assert.equal(sites[0].problem, undefined);
  });

  it('finds function, const arrow and Object.assign forms in source order', () => {
    const text = [
      "import * as tf from '@tensorflow/tfjs';",
      'export const b = (p: tf.Tensor1D) => tf.sum(p);',
      'export function a(p: tf.Tensor1D) { return tf.sum(p); }',
      'export async function notObjective() {}',
      'function helper() { return 1; }',
      'a.init = [1];',
      'b.init = () => [2];',
      '  export function c(p: tf.Tensor1D) { return p.sum(); }',
      'Object.assign(c, { minimum: 0, init: [0, 0] });',
      'Object.assign(helper, { minimum: 0 });',
    ].join('\n');
    const sites = findObjectives(text);
    assert.deepEqual(sites.map((s) => [s.name, s.line, s.column]), [['b', 1, 0], ['a', 2, 0], ['c', 7, 2]]);
  });

  it('flags an objective that is not exported, and honours export lists', () => {
    const text = 'function hidden(p) { return p; }\nhidden.init = [0];\nfunction listed(p) { return p; }\nlisted.init = [1];\nexport { listed as renamed };\n';
    const sites = findObjectives(text);
    assert.equal(sites.length, 2);
    assert.equal(sites[0].name, 'hidden');
    assert.equal(sites[0].exported, false);
    assert.match(sites[0].problem ?? '', /not exported/);
    assert.equal(sites[1].exported, true);
    assert.equal(sites[1].problem, undefined);
  });

  it('ignores init in comments and strings, comparisons and other objects', () => {
    const text = [
      'export function f(p) { return p; }',
      '// f.init = [1]',
      '/* f.init = [1] */',
      "const s = 'f.init = [1]';",
      'const t = `f.init = ${1}`;',
      'if (f.init == null) {}',
      'obj.f.init = 3;',
    ].join('\n');
    assert.deepEqual(findObjectives(text), []);
  });

  it('follows the text while the user types (partial code never throws)', () => {
    const full = 'export function f(p) { return p; }\nf.init = [1, 2];\n';
    for (let k = 0; k <= full.length; k++) {
      const sites = findObjectives(full.slice(0, k));
      // The lens appears only once `f.init =` is typed.
      assert.equal(sites.length, k >= full.indexOf('=', full.indexOf('f.init')) + 1 ? 1 : 0, `at ${k}`);
    }
  });
});

