import { strict as assert } from 'node:assert';
import { RunnerClient } from '../../../src/runner/client';
import { buildBundles } from './buildBundles';
import { fixture } from './runInProcess';

const himmelblau = (x: number, y: number): number => (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2;

describe('runner process: landscape requests through the client', function () {
  this.timeout(180_000);
  let client: RunnerClient;
  before(async () => {
    const { runner } = await buildBundles();
    client = new RunnerClient({ runnerPath: runner, backend: 'cpu' });
  });
  after(() => client.dispose());

  it('a zoomed window asked for during a run is answered after it, with f on the window\'s grid', async () => {
    const run = client.run({ file: fixture('featureWindow.ts'), objective: 'himmelblauFree', optimizer: { id: 'adam', lr: 0.05, hp: {} }, steps: 300 });
    const answer = client.landscape({ type: 'landscapeWindow', file: fixture('featureWindow.ts'), objective: 'himmelblauFree', seed: 0, box: [[-4, -3], [-4, -3]] });
    const [outcome, shown] = await Promise.all([run.result, answer]);
    assert.equal(outcome.kind, 'done');
    assert.equal(shown.type, 'landscapeWindow');
    const grid = shown.type === 'landscapeWindow' ? shown.grid : undefined;
    assert.ok(grid?.ys, shown.warning);
    assert.deepEqual([grid.xs[0], grid.xs.at(-1), grid.ys[0], grid.ys.at(-1)], [-4, -3, -4, -3]);
    const [i, j] = [17, 42];
    assert.ok(Math.abs((grid.values[j][i] ?? NaN) - himmelblau(grid.xs[i], grid.ys[j])) < 1e-3);
  });

  it('a finished 4-parameter run\'s path gives a PCA slice with its explained variance; a run of 2 parameters has none', async () => {
    const four = client.run({ runId: 'bowl-4', file: fixture('pathSlice.ts'), objective: 'diagonalBowl', optimizer: { id: 'sgd', lr: 0.05, hp: {} }, steps: 100 });
    assert.equal((await four.result).kind, 'done');
    const shown = await client.landscape({ type: 'pathSlice', method: 'pca', runIds: ['bowl-4'] });
    const slice = shown.type === 'pathSlice' ? shown.slice : undefined;
    assert.ok(slice, shown.warning);
    assert.ok(slice.explained && Math.abs(slice.explained[0] + slice.explained[1] - 1) < 1e-6);
    assert.equal(slice.paths[0].points.length, slice.paths[0].steps.length);
    assert.equal(slice.paths[0].steps.at(-1), 100);
    const two = client.run({ runId: 'two', file: fixture('featureWindow.ts'), objective: 'himmelblauFree', steps: 10, optimizer: { id: 'sgd', lr: 0.001, hp: {} } });
    await two.result;
    const none = await client.landscape({ type: 'pathSlice', method: 'hessian', runIds: ['two'] });
    assert.match(none.warning ?? '', /no recorded path for two/);
  });
});
