import { strict as assert } from 'node:assert';
import { errorInFile, errorRange } from '../../../src/host/errorRange';

const lines = ['import * as tf from "x";', '  const y = foo.bar(1);', ''];

describe('errorRange', () => {
  it('maps a 1-based line/column to the token there, 0-based', () => {
    assert.deepEqual(errorRange({ line: 2, column: 13 }, lines), { startLine: 1, startColumn: 12, endLine: 1, endColumn: 19 });
  });

  it('covers one character when the column is on punctuation', () => {
    assert.deepEqual(errorRange({ line: 2, column: 21 }, lines), { startLine: 1, startColumn: 20, endLine: 1, endColumn: 21 });
  });

  it('covers the trimmed line when no column is known', () => {
    assert.deepEqual(errorRange({ line: 2 }, lines), { startLine: 1, startColumn: 2, endLine: 1, endColumn: 23 });
  });

  it('clamps lines and columns past the end of the document', () => {
    assert.deepEqual(errorRange({ line: 99, column: 5 }, lines), { startLine: 2, startColumn: 0, endLine: 2, endColumn: 0 });
    assert.deepEqual(errorRange({ line: 1, column: 500 }, lines), { startLine: 0, startColumn: 24, endLine: 0, endColumn: 24 });
  });

  it('knows which file an error belongs to', () => {
    assert.equal(errorInFile({ kind: 'compile', message: 'm', file: '/w/a.ts', line: 1 }, '/w/a.ts'), true);
    assert.equal(errorInFile({ kind: 'compile', message: 'm', file: '/w/b.ts', line: 1 }, '/w/a.ts'), false);
    assert.equal(errorInFile({ kind: 'compile', message: 'm' }, '/w/a.ts'), false);
  });
});
