import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { optimizerTemplate } from '../../../src/host/optimizerTemplate';
import { ADAM_RULE, LION_RULE } from './ruleFixtures';
import { findSites } from '../../../src/host/discovery/findSites';

const findObjectives = (text: string) => [...findSites(text).objectives];
const findRules = (text: string) => [...findSites(text).rules];

const examples = path.join(__dirname, '../../../examples');

describe('findRules', () => {
  it('finds Lion and Adam at their declaration lines, with summary and default lr', () => {
    const lion = findRules(LION_RULE);
    assert.deepEqual(lion.map((s) => s.name), ['lion']);
    assert.match(LION_RULE.split('\n')[lion[0].line], /^export const lion: OptimizerRule</);
    assert.equal(lion[0].column, 0);
    assert.equal(lion[0].exported, true);
    assert.equal(lion[0].defaultLr, 1e-4);
    assert.equal(lion[0].problem, undefined);
    const adam = findRules(ADAM_RULE);
    assert.deepEqual(adam.map((s) => [s.name, s.summary, s.defaultLr]), [['myAdam', 'Adam, by hand', 0.001]]);
    assert.match(ADAM_RULE.split('\n')[adam[0].line], /^export const myAdam/);
  });

  it('finds the new-optimizer template under the name it was given', () => {
    const sites = findRules(optimizerTemplate('myLion'));
    assert.deepEqual(sites.map((s) => [s.name, s.exported, s.problem, s.defaultLr]), [['myLion', true, undefined, 1e-4]]);
    assert.match(sites[0].summary ?? '', /^Lion: the sign/);
  });

  it('skips type annotations with braces, generics and arrows; takes methods, shorthand keys and parenthesised objects', () => {
    const text = [
      "import * as tf from '@tensorflow/tfjs';",
      'type Fn = (x: number) => number;',
      'export const a: Rule<{ m: tf.Tensor; f: (x: number) => number }, Hp> = {',
      '  defaults: { lr: 0.5 },',
      '  init(p) { return { m: p }; },',
      '  update(g, s, p) { return { param: p, state: s }; },',
      '};',
      'const init = () => 1, update = 2;',
      'export const b = ({ defaults, init, update });',
      '  export const c = {',
      '    ...base,',
      '    init: (p) => ({ m: p }),',
      '    async update(g, s, p) { return { param: p, state: s }; },',
      '  } satisfies Rule;',
      'export const notARule = { init: 1, nested: { update: 2 } };',
      'export const config = { defaults: {}, init: 3 };',
      'export const value = 3;',
    ].join('\n');
    const sites = findRules(text);
    assert.deepEqual(sites.map((s) => [s.name, s.line, s.column, s.problem]), [
      ['a', 2, 0, undefined], ['b', 8, 0, undefined], ['c', 9, 2, undefined],
    ]);
    assert.equal(sites[0].defaultLr, 0.5);
    assert.equal(sites[1].defaultLr, undefined, 'no literal lr to read');
  });

  it('flags a rule that is not exported or has no defaults, and honours export lists', () => {
    const text = [
      'const hidden = { defaults: { lr: 1 }, init: (p) => p, update: (g, s, p) => ({ param: p, state: s }) };',
      'const listed = { defaults: { lr: 1 }, init: (p) => p, update: (g, s, p) => ({ param: p, state: s }) };',
      'export const bare = { init: (p) => p, update: (g, s, p) => ({ param: p, state: s }) };',
      'export { listed as renamed };',
    ].join('\n');
    const sites = findRules(text);
    assert.deepEqual(sites.map((s) => [s.name, s.exported]), [['hidden', false], ['listed', true], ['bare', true]]);
    assert.match(sites[0].problem ?? '', /not exported/);
    assert.equal(sites[1].problem, undefined);
    assert.match(sites[2].problem ?? '', /no `defaults`/);
  });

  it('ignores rules in comments and strings', () => {
    const text = [
      '// export const a = { defaults: {}, init: 1, update: 2 };',
      "const s = 'export const b = { defaults: {}, init: 1, update: 2 }';",
      '/* export const c = { defaults: {}, init: 1, update: 2 }; */',
    ].join('\n');
    assert.deepEqual(findRules(text), []);
  });

  it('finds no rule in the objective examples, and no objective in a rule file', () => {
    // Objective examples only (rule examples may sit beside them).
    const objectiveFiles = fs.readdirSync(examples).filter((f) => f.endsWith('.ts'))
      .map((f) => [f, fs.readFileSync(path.join(examples, f), 'utf8')] as const).filter(([, text]) => !/OptimizerRule/.test(text));
    assert.ok(objectiveFiles.length >= 10);
    for (const [f, text] of objectiveFiles) assert.deepEqual(findRules(text), [], f);
    assert.deepEqual(findObjectives(LION_RULE), []);
    assert.deepEqual(findObjectives(ADAM_RULE), []);
  });
});
