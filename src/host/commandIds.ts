/** Command ids, as declared in package.json's contributes.commands. */
export const COMMANDS = {
  run: 'optimizerLab.run',
  compare: 'optimizerLab.compare',
  stop: 'optimizerLab.stop',
  openDashboard: 'optimizerLab.openDashboard',
  newObjective: 'optimizerLab.newObjective',
  newOptimizerFile: 'optimizerLab.newOptimizerFile',
  exportRun: 'optimizerLab.exportRun',
  toggleLive: 'optimizerLab.toggleLive',
  setUpTypes: 'optimizerLab.setUpTypes',
  openSweepResults: 'optimizerLab.openSweepResults',
  /** A run shared as a replay record (the dashboard's "share"), run again here. */
  openReplayRecord: 'optimizerLab.openReplayRecord',
  /** The lr range test (palette, and the objective's "Find lr" lens). */
  findLr: 'optimizerLab.findLr',
  /** optlab sweep --compare from the palette: optimizers each tuned with the same budget. */
  tunedCompare: 'optimizerLab.tunedCompare',
  /** optlab sweep from the palette: one optimizer over a grid, shown in the Sweep card. */
  runSweep: 'optimizerLab.runSweep',
  /** Lens commands (hidden from the palette). */
  runObjective: 'optimizerLab.runObjective',
  hessian: 'optimizerLab.hessian',
  landscape: 'optimizerLab.landscape',
  /** Rule lens commands (hidden from the palette): run a workspace optimizer rule on an objective. */
  tryRule: 'optimizerLab.tryRule',
  compareRule: 'optimizerLab.compareRule',
} as const;
