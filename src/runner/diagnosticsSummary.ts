/**
 * The CLI's line about a run's diagnostics (issue 21), from its last curvature sample: the share of the run's time
 * they took, where the run sits against its edge of stability, the trace and the gradient-noise scale, each with
 * its error. Figures without an error are left out, never printed bare.
 */
import { edgeOfStabilityState } from '../protocol/diagnostics';
import type { CurvatureSample } from '../protocol/runner';

const short = (x: number): string => (Math.abs(x) >= 1e4 || (Math.abs(x) < 1e-3 && x !== 0) ? x.toExponential(2) : String(Number(x.toPrecision(4))));

/** undefined when the samples carry nothing beyond the spectrum's ends. */
export function diagnosticsSummary(samples: readonly CurvatureSample[]): string | undefined {
  const last = samples[samples.length - 1];
  if (!last || last.costShare === undefined) return undefined;
  const parts = [`diagnostics took ${(100 * last.costShare).toFixed(1)}% of the run`];
  const edge = edgeOfStabilityState(last);
  if (edge !== undefined && last.sharpness !== undefined && last.sharpnessLimit) {
    const what = last.preconditionedLambdaMax !== undefined ? 'λmax(P⁻¹H)' : 'λmax';
    parts.push(`${edge === 'below' ? 'below' : edge} the edge of stability (${what} ${short(last.sharpness)} ± ${short(last.sharpnessResidual ?? 0)}, limit ${short(last.sharpnessLimit)})`);
  } else if (last.sharpnessLimitNote) parts.push(`no stability limit: ${last.sharpnessLimitNote}`);
  if (last.trace !== undefined) parts.push(`tr(H) ${short(last.trace)}${last.traceMethod === 'exact' ? ' (exact)' : ` ± ${short(last.traceStdErr ?? NaN)} (${last.traceProbes} probes)`}`);
  const noise = last.gradientNoise;
  if (noise?.noiseScale != null && noise.noiseScaleStdErr != null) {
    parts.push(`gradient-noise scale ${short(noise.noiseScale)} ± ${short(noise.noiseScaleStdErr)}, SNR at batch ${noise.batchSize} ${short(noise.snr ?? NaN)} ± ${short(noise.snrStdErr ?? NaN)}`);
  } else if (last.gradientNoiseNote) parts.push(`no gradient-noise scale: ${last.gradientNoiseNote}`);
  return `at step ${last.step}: ${parts.join('; ')}`;
}
