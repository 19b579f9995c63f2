import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readRunSettings, runRequestFor } from '../../../src/host/runSettings';
import { diagnosticsPresetSchema } from '../../../src/protocol/diagnostics';

const request = (value: unknown) =>
  runRequestFor(readRunSettings((key) => (key === 'diagnostics' ? value : undefined)), { file: '/w/a.ts' }, {}, 'r1');

describe('setting optimizerLab.diagnostics (issue 21)', () => {
  it('a preset reaches the run request; off or a hand-edited unknown value leaves it out', () => {
    assert.equal(request('full').diagnostics, 'full');
    assert.equal(request('economy').diagnostics, 'economy');
    assert.equal('diagnostics' in request('off'), false);
    assert.equal('diagnostics' in request('fast'), false);
  });

  it("package.json's enum is 'off' and the protocol's presets", () => {
    const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8'));
    assert.deepEqual(pkg.contributes.configuration.properties['optimizerLab.diagnostics'].enum, ['off', ...diagnosticsPresetSchema.options]);
  });
});
