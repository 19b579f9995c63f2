/** Command ids, as declared in package.json's contributes.commands. */
export const COMMANDS = {
  run: 'optimizerLab.run',
  compare: 'optimizerLab.compare',
  stop: 'optimizerLab.stop',
  openDashboard: 'optimizerLab.openDashboard',
  newObjective: 'optimizerLab.newObjective',
  exportRun: 'optimizerLab.exportRun',
  toggleLive: 'optimizerLab.toggleLive',
  setUpTypes: 'optimizerLab.setUpTypes',
  /** Lens commands (hidden from the palette). */
  runObjective: 'optimizerLab.runObjective',
  hessian: 'optimizerLab.hessian',
  landscape: 'optimizerLab.landscape',
} as const;
