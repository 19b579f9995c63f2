import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { UsageError, parseCommand, parseOptimizerArg, type RunCommand } from '../../../src/runner/cliArgs';

/** `--optimizer`: a built-in id, or FILE#NAME naming an optimizer rule in a workspace file. */
describe('optlab run --optimizer FILE#NAME', () => {
  const cwd = path.resolve('/work/project');

  it('a bare word is a built-in id', () => {
    assert.deepEqual(parseOptimizerArg('adam', cwd), { id: 'adam' });
    assert.deepEqual(parseOptimizerArg('lbfgs', cwd), { id: 'lbfgs' });
  });

  it('a relative FILE#NAME resolves against the current directory', () => {
    assert.deepEqual(parseOptimizerArg('rules/lion.ts#lion', cwd), { id: 'lion', file: path.join(cwd, 'rules', 'lion.ts') });
    assert.deepEqual(parseOptimizerArg('./lion.ts#lion', cwd), { id: 'lion', file: path.join(cwd, 'lion.ts') });
    assert.deepEqual(parseOptimizerArg('../lion.js#lion', cwd), { id: 'lion', file: path.resolve(cwd, '..', 'lion.js') });
  });

  it('an absolute FILE#NAME is kept as it is', () => {
    assert.deepEqual(parseOptimizerArg('/abs/rules/myAdam.ts#myAdam', cwd), { id: 'myAdam', file: '/abs/rules/myAdam.ts' });
  });

  it("without #NAME the file's only rule is meant (id '')", () => {
    assert.deepEqual(parseOptimizerArg('lion.ts', cwd), { id: '', file: path.join(cwd, 'lion.ts') });
    assert.deepEqual(parseOptimizerArg('rules/lion', cwd), { id: '', file: path.join(cwd, 'rules', 'lion') });
    // A trailing '#' names no rule either.
    assert.deepEqual(parseOptimizerArg('lion.ts#', cwd), { id: '', file: path.join(cwd, 'lion.ts') });
  });

  it('a Windows path with #NAME is absolute and split at the last #', () => {
    assert.deepEqual(parseOptimizerArg('C:\\x\\lion.ts#lion', cwd), { id: 'lion', file: 'C:\\x\\lion.ts' });
    assert.deepEqual(parseOptimizerArg('C:\\x\\lion.ts', cwd), { id: '', file: 'C:\\x\\lion.ts' });
  });

  it("a '#' inside a folder name is part of the path, not the rule's name", () => {
    assert.deepEqual(parseOptimizerArg('/abs/a#b/lion.ts', cwd), { id: '', file: '/abs/a#b/lion.ts' });
    assert.deepEqual(parseOptimizerArg('/abs/a#b/lion.ts#lion', cwd), { id: 'lion', file: '/abs/a#b/lion.ts' });
  });

  it("a name with no file before '#' is a usage error", () => {
    assert.throws(() => parseOptimizerArg('#lion', cwd), (e: unknown) => e instanceof UsageError && /file before '#' is missing/.test(e.message));
  });

  it('run carries the rule file and name; built-ins carry no file; --hp pairs go through as strings for the rule', () => {
    const rule = parseCommand(['run', 'f.ts', '--optimizer', '/r/lion.ts#lion', '--hp', 'beta1=0.95', '--hp', 'betas=0.9,0.99']) as RunCommand;
    assert.equal(rule.optimizer, 'lion');
    assert.equal(rule.optimizerFile, '/r/lion.ts');
    assert.deepEqual(rule.hp, { beta1: '0.95', betas: '0.9,0.99' });
    const relative = parseCommand(['run', 'f.ts', '--optimizer', 'examples/lion.ts']) as RunCommand;
    assert.equal(relative.optimizer, '');
    assert.equal(relative.optimizerFile, path.resolve('examples/lion.ts'));
    const builtIn = parseCommand(['run', 'f.ts', '--optimizer', 'sgd']) as RunCommand;
    assert.equal(builtIn.optimizer, 'sgd');
    assert.equal('optimizerFile' in builtIn, false);
    assert.equal((parseCommand(['run', 'f.ts']) as RunCommand).optimizer, 'adam');
  });
});
