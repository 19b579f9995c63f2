/**
 * `npm run docs:optimizers`: writes README's optimizer table from the registry (through the catalogue,
 * src/core/optimizers/catalog.ts), between the markers below, and package.json's list of built-in ids for the
 * `optimizerLab.defaultOptimizer` setting (the Settings editor's drop-down). Both are read where no code runs
 * (the repository page, the marketplace, VS Code's settings), so they are text; test/unit/docs/readmeOptimizers.test.ts
 * fails when either is not what this script would write, so neither drifts from the registry.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { applyEdits, modify } from 'jsonc-parser';
import { optimizerCatalog, type OptimizerDescription } from '../src/core/optimizers/catalog';

export const TABLE_BEGIN = '<!-- optimizers: written by npm run docs:optimizers from the registry; edit the rules, not this table -->';
export const TABLE_END = '<!-- /optimizers -->';
export const README = path.join(__dirname, '..', 'README.md');
export const PACKAGE_JSON = path.join(__dirname, '..', 'package.json');
const DEFAULT_OPTIMIZER_SETTING = ['contributes', 'configuration', 'properties', 'optimizerLab.defaultOptimizer'];

/** The shorter of plain and exponent notation, exponent on a tie: 0.001 -> 1e-3, 0.01 -> 1e-2, 0.9 -> 0.9, 1000000 -> 1e6. */
function num(n: number): string {
  const exponent = n.toExponential().replace('e+', 'e');
  const plain = String(n);
  return exponent.length <= plain.length ? exponent : plain;
}

function valueText(v: unknown): string {
  if (typeof v === 'number') return num(v);
  if (Array.isArray(v)) return v.map(valueText).join(',');
  return String(v);
}

function fastPathText({ fastPath }: OptimizerDescription): string {
  if (fastPath.vector && fastPath.matrix) return 'yes';
  if (fastPath.vector) return 'vectors (matrices on tensors)';
  if (fastPath.matrix) return 'matrices (vectors on tensors)';
  return 'no';
}

const cell = (text: string): string => text.replace(/\|/g, '\\|');

function row(o: OptimizerDescription): string {
  const defaults = o.hyperparams.map((h) => `${h.name}=${valueText(h.default)}`).join(', ') || '-';
  return `| \`${o.id}\` | ${o.family} | ${cell(o.reference)} | ${cell(o.summary)} | ${num(o.defaultLr)} | ${cell(defaults)} | ${fastPathText(o)} |`;
}

/** The markdown table: one row per optimizer, a family's members together, in the registry's order. */
export function optimizerTable(catalog: readonly OptimizerDescription[]): string {
  const families = [...new Set(catalog.map((o) => o.family))];
  const rows = families.flatMap((family) => catalog.filter((o) => o.family === family).map(row));
  return [
    '| id | family | reference for (torch class or paper) | what it does | default lr | hyperparameters (defaults) | compiles |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

/** `readme` with the text between the markers replaced by `table`; throws when the markers are missing. */
export function withOptimizerTable(readme: string, table: string): string {
  const begin = readme.indexOf(TABLE_BEGIN);
  const end = readme.indexOf(TABLE_END);
  if (begin < 0 || end < begin) throw new Error(`README.md needs the markers ${TABLE_BEGIN} and ${TABLE_END} around the optimizer table`);
  return `${readme.slice(0, begin + TABLE_BEGIN.length)}\n${table}\n${readme.slice(end)}`;
}

/**
 * package.json's text with the default-optimizer setting's `enum` and `enumDescriptions` set to the catalogue's ids and
 * summaries, in the registry's order. Only those two values change (jsonc-parser's edits keep the rest of the file as written).
 */
export function withDefaultOptimizerEnum(packageText: string, catalog: readonly Pick<OptimizerDescription, 'id' | 'summary'>[]): string {
  const formattingOptions = { insertSpaces: true, tabSize: 2, eol: '\n' };
  let text = packageText;
  for (const [key, value] of [['enum', catalog.map((o) => o.id)], ['enumDescriptions', catalog.map((o) => o.summary)]] as const) {
    text = applyEdits(text, modify(text, [...DEFAULT_OPTIMIZER_SETTING, key], value, { formattingOptions }));
  }
  return text;
}

/** The catalogue on the cpu backend (see registryTable). */
async function catalogOnCpu(): Promise<readonly OptimizerDescription[]> {
  const previous = tf.engine().backendName as string | null;
  if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend of TensorFlow.js did not start');
  try {
    return optimizerCatalog();
  } finally {
    if (previous && previous !== 'cpu') await tf.setBackend(previous);
  }
}

/**
 * The table on the cpu backend: the compile check compares with TensorFlow.js, so the backend is fixed for a
 * stable README. The backend in use before is restored (the drift test shares its process with other suites).
 */
export async function registryTable(): Promise<string> {
  return optimizerTable(await catalogOnCpu());
}

/** package.json as the registry gives it (the default-optimizer setting's ids). */
export async function registryPackageJson(): Promise<string> {
  return withDefaultOptimizerEnum(fs.readFileSync(PACKAGE_JSON, 'utf8'), await catalogOnCpu());
}

function rewrite(file: string, after: string, what: string): void {
  const before = fs.readFileSync(file, 'utf8');
  if (after !== before) fs.writeFileSync(file, after);
  console.log(`${path.basename(file)}: ${what} ${after === before ? 'up to date' : 'rewritten'}`);
}

if (require.main === module) {
  void (async () => {
    rewrite(README, withOptimizerTable(fs.readFileSync(README, 'utf8'), await registryTable()), 'the optimizer table');
    rewrite(PACKAGE_JSON, await registryPackageJson(), "the default optimizer's ids");
  })();
}
