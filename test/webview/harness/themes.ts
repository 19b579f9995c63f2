/** A few of VS Code's theme variables (Dark Modern / Light Modern / High Contrast), as the workbench sets them. */
const dark: Record<string, string> = {
  '--vscode-editor-foreground': '#cccccc', '--vscode-editor-background': '#1f1f1f', '--vscode-descriptionForeground': '#9d9d9d',
  '--vscode-editorWidget-border': '#454545', '--vscode-panel-border': '#2b2b2b', '--vscode-focusBorder': '#0078d4',
  '--vscode-font-family': 'system-ui, sans-serif', '--vscode-font-size': '13px', '--vscode-sideBar-background': '#181818',
  '--vscode-button-background': '#0078d4', '--vscode-button-foreground': '#ffffff',
  '--vscode-button-secondaryBackground': '#313131', '--vscode-button-secondaryForeground': '#cccccc',
  '--vscode-input-background': '#313131', '--vscode-input-foreground': '#cccccc', '--vscode-input-border': '#3c3c3c',
  '--vscode-inputValidation-errorBackground': '#5a1d1d', '--vscode-inputValidation-errorBorder': '#be1100',
  '--vscode-errorForeground': '#f85149',
  '--vscode-charts-blue': '#3794ff', '--vscode-charts-orange': '#d18616', '--vscode-charts-green': '#89d185',
  '--vscode-charts-purple': '#b180d7', '--vscode-charts-red': '#f14c4c', '--vscode-charts-yellow': '#cca700',
};
const light: Record<string, string> = {
  '--vscode-editor-foreground': '#3b3b3b', '--vscode-editor-background': '#ffffff', '--vscode-descriptionForeground': '#6a6a6a',
  '--vscode-editorWidget-border': '#c8c8c8', '--vscode-panel-border': '#e5e5e5', '--vscode-focusBorder': '#005fb8',
  '--vscode-font-family': 'system-ui, sans-serif', '--vscode-font-size': '13px', '--vscode-sideBar-background': '#f8f8f8',
  '--vscode-button-background': '#005fb8', '--vscode-button-foreground': '#ffffff',
  '--vscode-button-secondaryBackground': '#e5e5e5', '--vscode-button-secondaryForeground': '#3b3b3b',
  '--vscode-input-background': '#ffffff', '--vscode-input-foreground': '#3b3b3b', '--vscode-input-border': '#cecece',
  '--vscode-inputValidation-errorBackground': '#f2dede', '--vscode-inputValidation-errorBorder': '#be1100',
  '--vscode-errorForeground': '#a1260d',
  '--vscode-charts-blue': '#1a85ff', '--vscode-charts-orange': '#d18616', '--vscode-charts-green': '#388a34',
  '--vscode-charts-purple': '#652d90', '--vscode-charts-red': '#e51400', '--vscode-charts-yellow': '#bf8803',
};
const highContrast: Record<string, string> = {
  ...dark,
  '--vscode-editor-foreground': '#ffffff', '--vscode-editor-background': '#000000', '--vscode-contrastBorder': '#6fc3df',
  '--vscode-panel-border': '#6fc3df', '--vscode-editorWidget-border': '#6fc3df', '--vscode-descriptionForeground': '#ffffff',
  // High Contrast (dark): black buttons and inputs outlined in the contrast border, orange focus.
  '--vscode-focusBorder': '#f38518', '--vscode-contrastActiveBorder': '#f38518',
  '--vscode-button-background': '#000000', '--vscode-button-foreground': '#ffffff', '--vscode-button-border': '#6fc3df',
  '--vscode-button-secondaryBackground': '#000000', '--vscode-button-secondaryForeground': '#ffffff',
  '--vscode-input-background': '#000000', '--vscode-input-foreground': '#ffffff', '--vscode-input-border': '#6fc3df',
  '--vscode-errorForeground': '#f48771',
};

export function themeVariables(theme: string): Record<string, string> {
  return theme === 'light' ? light : theme === 'high-contrast' ? highContrast : dark;
}
