import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import ts from 'typescript';
import { objectiveTemplate } from '../../../src/host/objectiveTemplate';
import { optimizerTemplate } from '../../../src/host/optimizerTemplate';
import { TYPES_DIR, TsconfigError, newTsconfig, patchTsconfig } from '../../../src/host/workspaceTsconfig';
import { ADAM_RULE, BAD_RULE, LION_RULE, copyExamplesAsUserFiles, ensureShippedTypes } from './ruleFixtures';

const root = path.join(__dirname, '../../..');

/** Type-checks a folder as `tsc -p` would; returns the diagnostics as 'file(line): message'. */
function typecheck(dir: string): string[] {
  const parsed = ts.getParsedCommandLineOfConfigFile(path.join(dir, 'tsconfig.json'), {}, {
    ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => assert.fail(ts.flattenDiagnosticMessageText(d.messageText, '\n')),
  });
  assert.ok(parsed);
  const program = ts.createProgram(parsed.fileNames, parsed.options);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file ? `${path.basename(d.file.fileName)}(${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1})` : '';
    return `${where}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
}

describe('workspace type declarations', function () {
  this.timeout(60_000);
  let dir: string;

  before(() => {
    ensureShippedTypes();
    // A workspace with no node_modules anywhere above it.
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'optlab-types-'));
    fs.cpSync(path.join(root, 'dist/types'), path.join(dir, TYPES_DIR), { recursive: true });
    fs.writeFileSync(path.join(dir, 'tsconfig.json'), newTsconfig());
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('type-checks the examples and the new-objective template without TensorFlow.js installed', () => {
    copyExamplesAsUserFiles(dir);
    fs.writeFileSync(path.join(dir, 'newObjective.ts'), objectiveTemplate('mine'));
    assert.deepEqual(typecheck(dir), []);
  });

  it('type-checks optimizer rules (Lion, an Adam with Math.pow(hp.beta1, ctx.step), the new-optimizer template)', () => {
    const files = { 'lion.ts': LION_RULE, 'adam.ts': ADAM_RULE, 'newOptimizer.ts': optimizerTemplate('mine') };
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
    try {
      assert.deepEqual(typecheck(dir), []);
      // The shipped copy is the contract itself, not a second hand-written one.
      const shipped = fs.readFileSync(path.join(dir, TYPES_DIR, 'optimizer-lab/optimizerRule.d.ts'), 'utf8');
      assert.match(shipped, /export interface OptimizerRule</);
      assert.match(shipped, /from '\.\.\/tfjs-core\/index'/);
      assert.doesNotMatch(shipped, /@tensorflow\/tfjs'/);
    } finally {
      for (const name of Object.keys(files)) fs.rmSync(path.join(dir, name));
    }
  });

  it('reports a rule whose update returns a number for param', () => {
    const file = path.join(dir, 'broken.ts');
    fs.writeFileSync(file, BAD_RULE);
    try {
      const errors = typecheck(dir);
      assert.equal(errors.length, 1, errors.join('\n'));
      assert.match(errors[0], /broken\.ts\(7\).*'number' is not assignable to type 'Tensor/s);
    } finally {
      fs.rmSync(file);
    }
  });

  it('still reports real mistakes: a misspelt setting, a wrong domain, an unknown op', () => {
    const file = path.join(dir, 'bad.ts');
    fs.writeFileSync(file, [
      "import * as tf from '@tensorflow/tfjs';",
      "import type { Objective } from 'optimizer-lab';",
      'export const f: Objective = (p) => tf.sum(p);',
      'f.minimun = 0;',
      'f.domain = 3;',
      'export const g = tf.notAnOp(1);',
    ].join('\n'));
    try {
      const errors = typecheck(dir);
      assert.equal(errors.length, 3, errors.join('\n'));
      assert.match(errors[0], /bad\.ts\(4\).*'minimun'.*Did you mean 'minimum'/);
      assert.match(errors[1], /bad\.ts\(5\).*not assignable/);
      assert.match(errors[2], /bad\.ts\(6\).*notAnOp/);
    } finally {
      fs.rmSync(file);
    }
  });
});

describe('patchTsconfig', () => {
  it('adds the paths to an existing tsconfig and keeps its comments and options', () => {
    const text = '{\n  // mine\n  "compilerOptions": { "strict": true, "paths": { "x": ["./x"] } },\n}\n';
    const out = patchTsconfig(text);
    assert.ok(out);
    assert.match(out, /\/\/ mine/);
    const parsed = ts.parseConfigFileTextToJson('tsconfig.json', out).config as { compilerOptions: { paths: Record<string, string[]>; strict: boolean; skipLibCheck: boolean } };
    assert.deepEqual(parsed.compilerOptions.paths.x, ['./x']);
    assert.deepEqual(parsed.compilerOptions.paths['@tensorflow/tfjs'], [`./${TYPES_DIR}/tfjs/index.d.ts`]);
    assert.equal(parsed.compilerOptions.strict, true);
    assert.equal(parsed.compilerOptions.skipLibCheck, true);
    assert.equal(patchTsconfig(out), undefined, 'a second patch changes nothing');
  });

  it('creates compilerOptions when missing and refuses broken JSON', () => {
    const out = patchTsconfig('{}');
    assert.ok(out);
    assert.ok(JSON.parse(out).compilerOptions.paths['optimizer-lab']);
    assert.throws(() => patchTsconfig('{ "compilerOptions": '), TsconfigError);
    assert.throws(() => patchTsconfig('[1]'), TsconfigError);
  });
});
