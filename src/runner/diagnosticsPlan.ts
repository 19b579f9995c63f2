/**
 * What a run's curvature samples carry and how much of its time they may take, from the request: the
 * `--diagnostics` preset, `--spectrum` and `--curvature-every`. The one place the presets are defined.
 */
import type { DiagnosticsPreset } from '../protocol/diagnostics';
import type { RunRequest } from '../protocol/runner';
import { AUTO_CURVATURE_SHARE } from './curvatureSampler';

export interface DiagnosticsPlan {
  /** Every K steps, 'auto' (the time share below), or 0 (never). */
  cadence: number | 'auto';
  /** 'auto' keeps sampling within this share of the run's time. */
  share: number;
  /** The sharpness limit and, for adaptive optimizers, the preconditioned sharpness. */
  edge: boolean;
  spectrum: boolean;
  /** The Hessian's diagonal (with the spectrum). */
  diagonal: boolean;
  /** The gradient-noise scale (objectives with data and a batch size). */
  noise: boolean;
  /** λmax and trace per named parameter tensor (objectives with several). */
  blocks: boolean;
  /** Per-tensor norms and the step-size gauge on step records (src/runner/stepDiagnostics.ts). */
  perStep: boolean;
}

/** The presets: each adds to the one before it and may take more of the run's time. */
export const DIAGNOSTICS_PRESETS: Readonly<Record<DiagnosticsPreset, Omit<DiagnosticsPlan, 'cadence'>>> = {
  economy: { share: AUTO_CURVATURE_SHARE / 2, edge: true, spectrum: false, diagonal: false, noise: false, blocks: false, perStep: false },
  standard: { share: AUTO_CURVATURE_SHARE, edge: true, spectrum: false, diagonal: false, noise: true, blocks: false, perStep: true },
  full: { share: 2.5 * AUTO_CURVATURE_SHARE, edge: true, spectrum: true, diagonal: true, noise: true, blocks: true, perStep: true },
};

/** Without a preset: curvature as asked, the edge of stability always (its limit is free), the spectrum when asked. */
export function diagnosticsPlan(req: Pick<RunRequest, 'curvatureEvery' | 'diagnostics' | 'spectrum'>): DiagnosticsPlan {
  if (!req.diagnostics) {
    const spectrum = req.spectrum === true;
    return { cadence: req.curvatureEvery, share: AUTO_CURVATURE_SHARE, edge: true, spectrum, diagonal: false, noise: false, blocks: false, perStep: false };
  }
  const preset = DIAGNOSTICS_PRESETS[req.diagnostics];
  return { ...preset, cadence: req.curvatureEvery === 0 ? 'auto' : req.curvatureEvery, spectrum: preset.spectrum || req.spectrum === true };
}
