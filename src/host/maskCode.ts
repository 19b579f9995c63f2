/**
 * Blanks comments and the insides of string and template literals with
 * spaces, keeping every offset and line break, so simple patterns can scan
 * the code without matching `init` inside a comment or a string.
 * Template substitutions (`${...}`) are code and are kept.
 */
export function maskCode(text: string): string {
  const out = text.split('');
  const blank = (from: number, to: number): void => {
    for (let k = from; k < to; k++) if (out[k] !== '\n' && out[k] !== '\r') out[k] = ' ';
  };
  // Stack of open template literals: the brace depth at which each `${` started.
  const templates: number[] = [];
  let depth = 0;
  let i = 0;
  const n = text.length;
  const scanTemplateText = (start: number): number => {
    // From just after ` or }, to just after the closing ` or the opening ${.
    let k = start;
    while (k < n) {
      if (text[k] === '\\') k += 2;
      else if (text[k] === '`') {
        blank(start, k);
        return k + 1;
      } else if (text[k] === '$' && text[k + 1] === '{') {
        blank(start, k);
        templates.push(depth);
        depth += 1;
        return k + 2;
      } else k += 1;
    }
    blank(start, n);
    return n;
  };
  while (i < n) {
    const c = text[i];
    const next = text[i + 1];
    if (c === '/' && next === '/') {
      const end = text.indexOf('\n', i);
      const stop = end < 0 ? n : end;
      blank(i, stop);
      i = stop;
    } else if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? n : end + 2;
      blank(i, stop);
      i = stop;
    } else if (c === '"' || c === "'") {
      let k = i + 1;
      while (k < n && text[k] !== c && text[k] !== '\n') k += text[k] === '\\' ? 2 : 1;
      blank(i + 1, Math.min(k, n));
      i = k + 1;
    } else if (c === '`') {
      i = scanTemplateText(i + 1);
    } else if (c === '{') {
      depth += 1;
      i += 1;
    } else if (c === '}') {
      depth -= 1;
      if (templates.length > 0 && templates[templates.length - 1] === depth) {
        templates.pop();
        i = scanTemplateText(i + 1);
      } else i += 1;
    } else i += 1;
  }
  return out.join('');
}
