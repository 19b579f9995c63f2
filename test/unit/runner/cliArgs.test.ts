import { strict as assert } from 'node:assert';
import { parseCommand, type RunCommand } from '../../../src/runner/cliArgs';

/** `optlab run`'s compile switch: on by default, --no-compile turns it off, --compile still accepted. */
describe('optlab run: compiling', () => {
  const run = (...flags: string[]) => parseCommand(['run', 'f.ts', ...flags]) as RunCommand;

  it('compiles by default, and --compile (the old opt-in) changes nothing', () => {
    assert.equal(run().compile, true);
    assert.equal(run('--compile').compile, true);
  });

  it('--no-compile keeps the run on TensorFlow.js ops', () => {
    assert.equal(run('--no-compile').compile, false);
  });

  it('--threads N: a positive integer, absent by default (the runner picks)', () => {
    assert.equal(run('--threads', '3').threads, 3);
    assert.equal(run().threads, undefined);
    for (const bad of ['0', '1.5', 'two']) assert.throws(() => run('--threads', bad), /--threads/);
  });
});

/** `optlab list-optimizers`: its --json is a flag (run's --json names a file); `list FILE` is unchanged. */
describe('optlab list-optimizers: arguments', () => {
  it('takes --json as a flag and nothing else', () => {
    assert.deepEqual(parseCommand(['list-optimizers']), { command: 'list-optimizers', json: false });
    assert.deepEqual(parseCommand(['list-optimizers', '--json']), { command: 'list-optimizers', json: true });
    assert.throws(() => parseCommand(['list-optimizers', '--json', 'out.json']), /list-optimizers takes only --json, got 'out\.json'/);
    assert.deepEqual(parseCommand(['list', 'f.ts']), { command: 'list', file: 'f.ts' });
    assert.throws(() => parseCommand(['lst']), /unknown command 'lst' \(run, sweep, lr-find, list, list-optimizers, .*demo\)/);
  });
});
