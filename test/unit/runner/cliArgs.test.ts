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
});
