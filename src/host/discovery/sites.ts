/**
 * What the host finds in a workspace .ts file without running it: the objectives, optimizer
 * rules and schedule functions it exports, where the lenses go. Plain data: findSites.ts
 * computes it from TypeScript's syntax tree (in a worker, sourceIndex.ts); the runner decides
 * for real when a run starts.
 */
import type { ScheduleInfo } from '../../protocol/runner';

export interface ObjectiveSite {
  readonly name: string;
  /** 0-based line and column of the declaration (where the lenses go). */
  readonly line: number;
  readonly column: number;
  readonly exported: boolean;
  /** Why the runner will not run it, when that is visible in the text. */
  readonly problem?: string;
}

export interface RuleSite {
  readonly name: string;
  /** 0-based line and column of the declaration (where the lenses go). */
  readonly line: number;
  readonly column: number;
  readonly exported: boolean;
  /** The `summary` string, when it is a plain literal. */
  readonly summary?: string;
  /** `defaults.lr`, when it is a plain number literal (the dashboard's lr slider starts there). */
  readonly defaultLr?: number;
  /** Why the runner will not use it, when that is visible in the text. */
  readonly problem?: string;
}

/** An exported schedule function; `line` is 1-based (it is shown, not used for a lens). */
export type ScheduleSite = Required<Pick<ScheduleInfo, 'name' | 'line' | 'form'>>;

export interface SourceSites {
  readonly objectives: readonly ObjectiveSite[];
  readonly rules: readonly RuleSite[];
  readonly schedules: readonly ScheduleSite[];
}

export const NO_SITES: SourceSites = { objectives: [], rules: [], schedules: [] };
