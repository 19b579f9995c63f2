// The TypeScript server plugin inside TypeScript's own project service (the code
// path of tsserver in VS Code), bundled and laid out as in the installed extension
// (<ext>/node_modules/optimizer-lab-ts-plugin, <ext>/dist/types): a workspace without
// TensorFlow.js gets the shipped declarations, a workspace with it keeps its own.
import { strict as assert } from 'node:assert';
import { buildSync } from 'esbuild';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import ts from 'typescript';
import { ADAM_RULE, BAD_RULE, LION_RULE, copyExamplesAsUserFiles, ensureShippedTypes } from '../host/ruleFixtures';

const root = path.join(__dirname, '../../..');
const PLUGIN = 'optimizer-lab-ts-plugin';

interface Service {
  service: ts.server.ProjectService;
  logs: string[];
  loaded: string[];
}

/** A project service that loads the plugin as tsserver does (global plugin, probed by name), with watchers off. */
function projectService(extension: string, inferred: ts.server.protocol.CompilerOptions): Service {
  const logs: string[] = [];
  const loaded: string[] = [];
  const noWatch = (): ts.FileWatcher => ({ close: () => undefined });
  const host: ts.server.ServerHost = {
    ...ts.sys,
    watchFile: noWatch,
    watchDirectory: noWatch,
    setTimeout: (cb, ms, ...args) => setTimeout(cb, ms, ...args),
    clearTimeout: (id) => clearTimeout(id as NodeJS.Timeout),
    setImmediate: (cb, ...args) => setImmediate(cb, ...args),
    clearImmediate: (id) => clearImmediate(id as NodeJS.Immediate),
    require: (initialDir, moduleName) => {
      loaded.push(moduleName);
      // As tsserver does: node resolution from <probe location>/node_modules.
      try {
        return { module: createRequire(path.join(initialDir, 'probe.js'))(moduleName) as ts.server.PluginModuleFactory, error: undefined };
      } catch (e) {
        return { module: undefined, error: { message: String(e) } };
      }
    },
  };
  const logger: ts.server.Logger = {
    close: () => undefined,
    hasLevel: () => true,
    loggingEnabled: () => true,
    perftrc: () => undefined,
    info: (s) => logs.push(s),
    startGroup: () => undefined,
    endGroup: () => undefined,
    msg: (s) => logs.push(s),
    getLogFileName: () => undefined,
  };
  const service = new ts.server.ProjectService({
    host, logger, cancellationToken: ts.server.nullCancellationToken,
    useSingleInferredProject: false, useInferredProjectPerProjectRoot: false,
    typingsInstaller: ts.server.nullTypingsInstaller, session: undefined,
    globalPlugins: [PLUGIN], pluginProbeLocations: [extension], allowLocalPluginLoads: false,
  });
  service.setCompilerOptionsForInferredProjects(inferred);
  return { service, logs, loaded };
}

function languageService(s: Service, file: string): { ls: ts.LanguageService } {
  s.service.openClientFile(file, fs.readFileSync(file, 'utf8'));
  const project = s.service.getDefaultProjectForFile(ts.server.toNormalizedPath(file), true);
  assert.ok(project, `no project for ${file}`);
  return { ls: project.getLanguageService() };
}

function diagnostics(ls: ts.LanguageService, file: string): string[] {
  return [...ls.getSyntacticDiagnostics(file), ...ls.getSemanticDiagnostics(file)].map((d) => `${path.basename(file)}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
}

/** Where go-to-definition on the import's module name leads (the file the import resolved to). */
function resolvedFile(ls: ts.LanguageService, file: string, name: string): string | undefined {
  const at = fs.readFileSync(file, 'utf8').indexOf(`'${name}'`);
  assert.ok(at >= 0, `${file} imports ${name}`);
  return ls.getDefinitionAtPosition(file, at + 1)?.[0]?.fileName;
}

// VS Code's implicit project settings vary with the version: the old default and node16-style resolution.
const inferredOptions: [string, ts.server.protocol.CompilerOptions][] = [
  ['classic inferred options', { strict: true, target: ts.server.protocol.ScriptTarget.ES2020 }],
  ['nodenext inferred options', { strict: true, module: ts.server.protocol.ModuleKind.NodeNext, moduleResolution: ts.server.protocol.ModuleResolutionKind.NodeNext, target: ts.server.protocol.ScriptTarget.ES2022 }],
];

describe('TypeScript server plugin (tsPlugin)', function () {
  this.timeout(120_000);
  let tmp: string;
  let extension: string;
  let types: string;

  before(() => {
    ensureShippedTypes();
    // No node_modules in or above these folders but the extension's own.
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'optlab-tsplugin-'));
    extension = path.join(tmp, 'extension');
    types = path.join(extension, 'dist/types');
    fs.cpSync(path.join(root, 'dist/types'), types, { recursive: true });
    const pkg = path.join(extension, 'node_modules', PLUGIN);
    fs.mkdirSync(pkg, { recursive: true });
    fs.copyFileSync(path.join(root, 'tsPlugin/package.json'), path.join(pkg, 'package.json'));
    const main = (JSON.parse(fs.readFileSync(path.join(pkg, 'package.json'), 'utf8')) as { main: string }).main;
    // The bundle as scripts/build.mjs makes it (CommonJS, node, TypeScript itself not bundled).
    buildSync({ entryPoints: [path.join(root, 'tsPlugin/src/index.ts')], outfile: path.join(pkg, main), bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'error' });
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  for (const [label, options] of inferredOptions) {
    it(`${label}: every example resolves '@tensorflow/tfjs' to the shipped declarations, with no diagnostics`, () => {
      const ws = path.join(tmp, label.replace(/\W+/g, '-'));
      const files = copyExamplesAsUserFiles(ws);
      const s = projectService(extension, options);
      try {
        assert.ok(files.length >= 10, `${files.length} examples`);
        for (const file of files) {
          const { ls } = languageService(s, file);
          assert.deepEqual(diagnostics(ls, file), []);
          assert.equal(resolvedFile(ls, file, '@tensorflow/tfjs'), path.join(types, 'tfjs/index.d.ts'));
        }
        // tsserver loads global plugins once per project (here one inferred project per file).
        assert.ok(s.loaded.length > 0 && s.loaded.every((n) => n === PLUGIN), JSON.stringify(s.loaded));
        assert.ok(s.logs.some((l) => /optimizer-lab-ts-plugin\] fallback for @tensorflow\/tfjs, .*resolveModuleNameLiterals/.test(l)), 'plugin log line');
      } finally {
        s.service.closeLog();
      }
    });
  }

  it('completes tf. with ops and objective properties, and still reports real mistakes', () => {
    const ws = path.join(tmp, 'completions');
    fs.mkdirSync(ws);
    const file = path.join(ws, 'mine.ts');
    const text = [
      "import * as tf from '@tensorflow/tfjs';",
      "import type { Objective } from 'optimizer-lab';",
      'export const f: Objective = (p) => tf.sum(tf.square(p));',
      'f.init = [1, 2];',
      'f.minimun = 0;',
      'export const g = tf.notAnOp(1);',
      'tf.',
    ].join('\n');
    fs.writeFileSync(file, text);
    const s = projectService(extension, { strict: true });
    try {
      const { ls } = languageService(s, file);
      const names = new Set(ls.getCompletionsAtPosition(file, text.length, {})?.entries.map((e) => e.name));
      for (const op of ['square', 'grad', 'tensor1d', 'tidy', 'Tensor']) assert.ok(names.has(op), `tf.${op} completes (${names.size} entries)`);
      const settings = new Set(ls.getCompletionsAtPosition(file, text.indexOf('f.init') + 2, {})?.entries.map((e) => e.name));
      for (const prop of ['init', 'minimum', 'domain', 'data', 'constraint']) assert.ok(settings.has(prop), `f.${prop} completes`);
      const errors = diagnostics(ls, file);
      assert.equal(errors.filter((e) => /Cannot find module/.test(e)).length, 0, errors.join('\n'));
      assert.ok(errors.some((e) => /'minimun'.*'minimum'/.test(e)), errors.join('\n'));
      assert.ok(errors.some((e) => /notAnOp/.test(e)), errors.join('\n'));
    } finally {
      s.service.closeLog();
    }
  });

  it("optimizer rules: 'optimizer-lab' gives OptimizerRule, Lion and Adam check clean, a number for param is an error", () => {
    const ws = path.join(tmp, 'rules');
    fs.mkdirSync(ws);
    const files = { 'lion.ts': LION_RULE, 'adam.ts': ADAM_RULE, 'broken.ts': BAD_RULE };
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(ws, name), text);
    const s = projectService(extension, { strict: true });
    try {
      for (const name of ['lion.ts', 'adam.ts']) {
        const file = path.join(ws, name);
        const { ls } = languageService(s, file);
        assert.deepEqual(diagnostics(ls, file), []);
        assert.equal(resolvedFile(ls, file, 'optimizer-lab'), path.join(types, 'optimizer-lab/index.d.ts'));
      }
      const broken = path.join(ws, 'broken.ts');
      const errors = diagnostics(languageService(s, broken).ls, broken);
      assert.equal(errors.length, 1, errors.join('\n'));
      assert.match(errors[0], /'number' is not assignable to type 'Tensor/);
    } finally {
      s.service.closeLog();
    }
  });

  it('an installed TensorFlow.js wins over the shipped declarations', () => {
    const ws = path.join(tmp, 'installed');
    const pkg = path.join(ws, 'node_modules/@tensorflow/tfjs');
    fs.mkdirSync(pkg, { recursive: true });
    fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: '@tensorflow/tfjs', version: '9.9.9', types: 'index.d.ts', main: 'index.js' }));
    fs.writeFileSync(path.join(pkg, 'index.d.ts'), 'export declare function onlyInTheInstalledCopy(): number;\n');
    const file = path.join(ws, 'objective.ts');
    const text = "import * as tf from '@tensorflow/tfjs';\nexport const x = tf.onlyInTheInstalledCopy();\nexport const y = tf.square(1);\n";
    fs.writeFileSync(file, text);
    const s = projectService(extension, { strict: true });
    try {
      const { ls } = languageService(s, file);
      assert.equal(resolvedFile(ls, file, '@tensorflow/tfjs'), path.join(pkg, 'index.d.ts'));
      const errors = diagnostics(ls, file);
      assert.equal(errors.length, 1, errors.join('\n'));
      assert.match(errors[0], /'square' does not exist/);
    } finally {
      s.service.closeLog();
    }
  });
});
