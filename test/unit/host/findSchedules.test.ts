import { strict as assert } from 'node:assert';
import { WorkspaceCatalog } from '../../../src/host/workspaceCatalog';
import { findSites } from '../../../src/host/discovery/findSites';
import { sitesOf } from './inProcessSites';

const findSchedules = (text: string) => [...findSites(text).schedules];

const FILE = `import * as tf from '@tensorflow/tfjs';
export function warmup(step: number): number { return Math.min(1, (step + 1) / 10); }
// export function commented(step: number) { return 1; }
export const decay = (step: number, lr: number): number => lr * 0.99;
export const bare = step => 0.5;
export function notSchedule(x: number) { return x; }
export const three = (step: number, lr: number, extra: number) => lr;
export function withDefault(step: number, lr = 1) { return lr; }
const hidden = (step: number) => 1;
export async function later(step: number) { return 1; }
const text = "export function inString(step) {}";
`;

describe('findSchedules', () => {
  it('finds exported functions whose first parameter is step, one (factor) or two (lr) parameters, at their lines', () => {
    assert.deepEqual(findSchedules(FILE), [
      { name: 'warmup', form: 'factor', line: 2 },
      { name: 'decay', form: 'lr', line: 4 },
      { name: 'bare', form: 'factor', line: 5 },
    ]);
  });

  it('lists them in the catalogue by file, and follows edits and deletions', async () => {
    const catalog = new WorkspaceCatalog(sitesOf);
    let changes = 0;
    catalog.onDidChange(() => changes++);
    await catalog.update('/ws/b.ts', 'export const tail = (step: number) => 0.1;\n');
    await catalog.update('/ws/a.ts', FILE);
    assert.deepEqual(catalog.scheduleOptions((f) => f.replace('/ws/', '')).map((s) => `${s.label}#${s.name}:${s.form}`),
      ['a.ts#warmup:factor', 'a.ts#decay:lr', 'a.ts#bare:factor', 'b.ts#tail:factor']);
    assert.equal(changes, 2);
    // An edit that changes the schedule's form is a change; the same exports again are not.
    assert.equal(await catalog.update('/ws/b.ts', 'export const tail = (step: number, lr: number) => lr;\n'), true);
    assert.equal(await catalog.update('/ws/b.ts', 'export const tail = (step: number, lr: number) => lr * 1;\n'), false);
    assert.equal(catalog.remove('/ws/b.ts'), true);
    assert.deepEqual(catalog.scheduleOptions().map((s) => s.name), ['warmup', 'decay', 'bare']);
  });
});
