import { strict as assert } from 'node:assert';
import { readRunSettings, runRequestFor } from '../../../src/host/runSettings';
import { runRequestSchema } from '../../../src/protocol/runner';
import { webviewToHostSchema } from '../../../src/protocol/webview';

const settings = readRunSettings(() => undefined);

describe("the dashboard's density toggle reaches the run request (issue 21: --spectrum from the dashboard)", () => {
  it('a run ask with spectrum parses, and the choice makes a request with spectrum: true that the runner accepts', () => {
    const message = webviewToHostSchema.parse({ type: 'run', ask: { optimizer: { id: 'adam', lr: 0.01, hp: {} }, steps: 50, spectrum: true } });
    assert.equal(message.type === 'run' && message.ask.spectrum, true);
    const request = runRequestFor(settings, { file: '/w/a.ts' }, { optimizer: 'adam', spectrum: true }, 'r1');
    assert.equal(request.spectrum, true);
    assert.equal(runRequestSchema.parse({ type: 'run', ...request }).spectrum, true);
  });

  it('without the toggle the request has no spectrum field (the runner decides from the presets)', () => {
    assert.equal('spectrum' in runRequestFor(settings, { file: '/w/a.ts' }, { optimizer: 'adam' }, 'r1'), false);
  });
});
