/**
 * Colours for the canvas, read from VS Code's CSS variables (a canvas cannot
 * use var()). style.css maps them to --ol-* with light/dark fallbacks for the
 * report page; this reads the resolved values.
 */
export interface Theme {
  fg: string;
  muted: string;
  grid: string;
  bg: string;
  font: string;
  highContrast: boolean;
  palette: string[];
}

function cssVar(style: CSSStyleDeclaration, name: string, fallback: string): string {
  const v = style.getPropertyValue(name).trim();
  return v === '' ? fallback : v;
}

export function readTheme(): Theme {
  const style = getComputedStyle(document.body);
  const palette = [1, 2, 3, 4, 5, 6, 7, 8].map((i) => cssVar(style, `--ol-run-${i}`, '#888'));
  const highContrast = document.body.classList.contains('vscode-high-contrast')
    || document.body.classList.contains('vscode-high-contrast-light');
  const grid = cssVar(style, '--ol-grid', 'rgba(128,128,128,0.25)');
  return {
    fg: cssVar(style, '--ol-fg', '#ccc'),
    muted: cssVar(style, '--ol-muted', '#999'),
    // High contrast borders are bright (#6fc3df): full-strength grid lines compete with the runs' lines.
    grid: highContrast ? withAlpha(grid, 0.45) : grid,
    bg: cssVar(style, '--ol-bg', '#1e1e1e'),
    font: cssVar(style, '--ol-font', 'sans-serif'),
    highContrast,
    palette,
  };
}

/** Calls `onChange` when VS Code switches theme (it rewrites the body's class). */
export function watchTheme(onChange: () => void): void {
  new MutationObserver(onChange).observe(document.body, { attributes: true, attributeFilter: ['class', 'style'] });
  new MutationObserver(onChange).observe(document.documentElement, { attributes: true, attributeFilter: ['style'] });
}

/** `color` at opacity `alpha` (any CSS colour: hex, rgb(), named). */
export function withAlpha(color: string, alpha: number): string {
  const hex = /^#([0-9a-f]{3,8})$/i.exec(color.trim());
  if (hex) {
    let h = hex[1];
    if (h.length <= 4) h = [...h].map((c) => c + c).join('');
    const [r, g, b] = [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16));
    return `rgba(${r}, ${g}, ${b}, ${alpha})`;
  }
  const rgb = /^rgba?\(([^)]+)\)$/i.exec(color.trim());
  if (rgb) {
    const [r, g, b] = rgb[1].split(/[\s,/]+/);
    return `rgba(${r}, ${g}, ${b}, ${alpha})`;
  }
  return color;
}
