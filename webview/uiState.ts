/** View settings that survive hiding and reloading (getState/setState). */
/** 'lr': the step's learning rate, on a log axis (a run with an exponentially growing lr is the lr range test). */
export type XAxis = 'steps' | 'evals' | 'wall' | 'lr';

export interface UiState {
  xAxis: XAxis;
  lossScale: 'log' | 'linear';
  /** Plot f − f* when the objective declares its minimum. */
  suboptimality: boolean;
  logLog: boolean;
  /** EMA factor in [0, 0.99]; 0 = raw. */
  smoothing: number;
  showGhosts: boolean;
  /** Runs the user hid, by runId. */
  hidden: string[];
  controls: { optimizer: string; lr: number; schedule: string; steps: number };
  /** The user changed a control: the settings' defaults no longer overwrite them. */
  controlsChanged: boolean;
  /** The run the lr slider and "repeat" apply to (none: every running run / the last run). */
  selected?: string;
  /** "Repeat with N seeds": N. */
  seeds: number;
  /** Seed groups whose member rows are shown in the run table. */
  expanded: string[];
  /** The Trajectory card's landscape: the 2-D contour or the 3-D surface. */
  landscapeView: 'contour' | 'surface';
  /** The 3-D surface's camera (radians, and distance in model units); the surface clamps it to its ranges. */
  orbit?: { yaw: number; pitch: number; distance: number };
}

export const defaultUiState: UiState = {
  xAxis: 'steps', lossScale: 'log', suboptimality: true, logLog: false, smoothing: 0, showGhosts: true, hidden: [],
  controls: { optimizer: 'adam', lr: 0.01, schedule: '', steps: 500 },
  controlsChanged: false, seeds: 5, expanded: [], landscapeView: 'contour',
};

/** Restores what it can from a stored value of unknown shape, defaults for the rest. */
export function restoreUiState(stored: unknown): UiState {
  const s: UiState = structuredClone(defaultUiState);
  if (typeof stored !== 'object' || stored === null || !('ui' in stored)) return s;
  const ui = (stored as { ui: unknown }).ui;
  if (typeof ui !== 'object' || ui === null) return s;
  const u = ui as Partial<Record<keyof UiState, unknown>>;
  if (u.xAxis === 'steps' || u.xAxis === 'evals' || u.xAxis === 'wall' || u.xAxis === 'lr') s.xAxis = u.xAxis;
  if (u.lossScale === 'log' || u.lossScale === 'linear') s.lossScale = u.lossScale;
  if (typeof u.suboptimality === 'boolean') s.suboptimality = u.suboptimality;
  if (typeof u.logLog === 'boolean') s.logLog = u.logLog;
  if (typeof u.smoothing === 'number' && u.smoothing >= 0 && u.smoothing <= 0.99) s.smoothing = u.smoothing;
  if (typeof u.showGhosts === 'boolean') s.showGhosts = u.showGhosts;
  if (Array.isArray(u.hidden)) s.hidden = u.hidden.filter((h): h is string => typeof h === 'string');
  if (typeof u.controlsChanged === 'boolean') s.controlsChanged = u.controlsChanged;
  if (typeof u.selected === 'string') s.selected = u.selected;
  if (typeof u.seeds === 'number' && Number.isInteger(u.seeds) && u.seeds >= 2 && u.seeds <= 50) s.seeds = u.seeds;
  if (Array.isArray(u.expanded)) s.expanded = u.expanded.filter((h): h is string => typeof h === 'string');
  if (u.landscapeView === 'contour' || u.landscapeView === 'surface') s.landscapeView = u.landscapeView;
  const o = u.orbit as Partial<Record<'yaw' | 'pitch' | 'distance', unknown>> | undefined;
  if (o && typeof o === 'object' && [o.yaw, o.pitch, o.distance].every((v) => typeof v === 'number' && Number.isFinite(v))) {
    s.orbit = { yaw: o.yaw as number, pitch: o.pitch as number, distance: o.distance as number };
  }
  const c = u.controls as Partial<UiState['controls']> | undefined;
  if (c && typeof c === 'object') {
    if (typeof c.optimizer === 'string') s.controls.optimizer = c.optimizer;
    if (typeof c.lr === 'number' && c.lr > 0) s.controls.lr = c.lr;
    if (typeof c.schedule === 'string') s.controls.schedule = c.schedule;
    if (typeof c.steps === 'number' && Number.isInteger(c.steps) && c.steps > 0) s.controls.steps = c.steps;
  }
  return s;
}
