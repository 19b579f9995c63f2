import { strict as assert } from 'node:assert';
import { WorkspaceCatalog, tryTarget } from '../../../src/host/workspaceCatalog';
import { ADAM_RULE, LION_RULE } from './ruleFixtures';
import { sitesOf } from './inProcessSites';

const OBJECTIVE = "import * as tf from '@tensorflow/tfjs';\nexport function bowl(p: tf.Tensor1D) { return p.square().sum(); }\nbowl.init = [1, 2];\n";
const TWO_OBJECTIVES = "export function a(p) { return p.sum(); }\na.init = [1];\nexport function b(p) { return p.sum(); }\nb.init = [1];\n";

describe('WorkspaceCatalog', async () => {
  it('lists the usable rules by file, with summary and default lr, and tells listeners only when they change', async () => {
    const catalog = new WorkspaceCatalog(sitesOf);
    let changes = 0;
    catalog.onDidChange(() => (changes += 1));
    assert.equal(await catalog.update('/w/notes.ts', 'export const x = 1;\n'), false, 'a file with nothing in it changes nothing');
    await catalog.update('/w/rules/lion.ts', LION_RULE);
    await catalog.update('/w/adam.ts', ADAM_RULE);
    await catalog.update('/w/bowl.ts', OBJECTIVE);
    assert.equal(changes, 3);
    assert.deepEqual(catalog.ruleOptions((f) => f.replace('/w/', '')), [
      { name: 'myAdam', file: '/w/adam.ts', label: 'adam.ts', summary: 'Adam, by hand', defaultLr: 0.001 },
      { name: 'lion', file: '/w/rules/lion.ts', label: 'rules/lion.ts', defaultLr: 1e-4 },
    ]);
    // Typing inside the rule's body changes no name: no wake-up.
    await catalog.update('/w/rules/lion.ts', LION_RULE.replace('1 - hp.beta1', '1.0 - hp.beta1'));
    assert.equal(changes, 3);
    await catalog.update('/w/rules/lion.ts', LION_RULE.replace('export const lion', 'const lion'));
    assert.equal(changes, 4);
    assert.deepEqual(catalog.ruleOptions().map((r) => r.name), ['myAdam'], 'an unexported rule is not offered');
    assert.equal(catalog.hasRule('/w/rules/lion.ts', 'lion'), false);
    assert.equal(catalog.hasRule('/w/adam.ts', 'myAdam'), true);
    catalog.remove('/w/adam.ts');
    assert.equal(changes, 5);
    assert.deepEqual(catalog.ruleOptions(), []);
  });

  it('tries a rule on the objective run last while it exists, else on the first objective found', async () => {
    const catalog = new WorkspaceCatalog(sitesOf);
    assert.equal(tryTarget(catalog, undefined), undefined, 'no objective anywhere');
    await catalog.update('/w/z.ts', OBJECTIVE);
    await catalog.update('/w/m.ts', TWO_OBJECTIVES);
    assert.deepEqual(tryTarget(catalog, undefined), { file: '/w/m.ts', objective: 'a' }, 'first by path, then by line');
    assert.deepEqual(tryTarget(catalog, { file: '/w/z.ts', objective: 'bowl' }), { file: '/w/z.ts', objective: 'bowl' });
    assert.deepEqual(tryTarget(catalog, { file: '/w/m.ts' }), { file: '/w/m.ts', objective: 'a' }, 'the only-objective run: its file\'s first');
    assert.deepEqual(tryTarget(catalog, { file: '/w/m.ts', objective: 'gone' }), { file: '/w/m.ts', objective: 'a' }, 'a renamed objective falls back');
    assert.deepEqual(tryTarget(catalog, { file: '/elsewhere/x.ts', objective: 'x' }), { file: '/elsewhere/x.ts', objective: 'x' }, 'a file outside the scan');
    catalog.remove('/w/z.ts');
    assert.deepEqual(tryTarget(catalog, { file: '/w/z.ts', objective: 'bowl' }), { file: '/w/m.ts', objective: 'a' }, 'a deleted file is not tried');
  });

  it('keeps the sites of a file\'s latest text when an older parse answers last, and of none after a removal', async () => {
    const release = new Map<string, () => void>();
    // Each text's sites arrive when the test says so.
    const slow = (text: string) => new Promise<void>((r) => release.set(text, r)).then(() => sitesOf(text));
    const catalog = new WorkspaceCatalog(slow);
    const renamed = OBJECTIVE.replace(/bowl/g, 'cup');
    const first = catalog.update('/w/bowl.ts', OBJECTIVE);
    const second = catalog.update('/w/bowl.ts', renamed);
    release.get(renamed)?.();
    assert.equal(await second, true);
    release.get(OBJECTIVE)?.();
    assert.equal(await first, false, 'the older text answered last: dropped');
    assert.deepEqual(catalog.objectivesOf('/w/bowl.ts')?.map((o) => o.name), ['cup']);
    const late = catalog.update('/w/bowl.ts', OBJECTIVE);
    catalog.remove('/w/bowl.ts');
    release.get(OBJECTIVE)?.();
    assert.equal(await late, false);
    assert.deepEqual(catalog.objectivesOf('/w/bowl.ts'), [], 'a file deleted while its text was parsed stays empty');
  });
});
