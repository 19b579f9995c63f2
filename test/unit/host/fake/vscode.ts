/**
 * A small stand-in for the `vscode` module: enough of the API for the host's
 * adapters to run in plain mocha (and for the activation benchmark). It
 * records what the extension registers so tests can call it.
 */
type Listener<T> = (e: T) => unknown;

export class Disposable {
  constructor(private readonly fn: () => void = () => undefined) {}
  dispose(): void {
    this.fn();
  }
}

export class EventEmitter<T> {
  private listeners: Listener<T>[] = [];
  readonly event = (l: Listener<T>): Disposable => {
    this.listeners.push(l);
    return new Disposable(() => (this.listeners = this.listeners.filter((x) => x !== l)));
  };
  fire(e: T): void {
    for (const l of [...this.listeners]) l(e);
  }
  dispose(): void {
    this.listeners = [];
  }
}

export class Uri {
  private constructor(readonly scheme: string, readonly path: string) {}
  static file(p: string): Uri {
    return new Uri('file', p);
  }
  static joinPath(base: Uri, ...parts: string[]): Uri {
    return new Uri(base.scheme, [base.path.replace(/\/$/, ''), ...parts].join('/'));
  }
  get fsPath(): string {
    return this.path;
  }
  toString(): string {
    return `${this.scheme}://${this.path}`;
  }
}

export class Position {
  constructor(readonly line: number, readonly character: number) {}
}

export class Range {
  readonly start: Position;
  readonly end: Position;
  constructor(sl: number, sc: number, el: number, ec: number) {
    this.start = new Position(sl, sc);
    this.end = new Position(el, ec);
  }
}

export interface Command {
  title: string;
  command: string;
  arguments?: unknown[];
  tooltip?: string;
}

export class CodeLens {
  constructor(readonly range: Range, readonly command?: Command) {}
}

export class CodeActionKind {
  static readonly QuickFix = new CodeActionKind('quickfix');
  constructor(readonly value: string) {}
}

export class CodeAction {
  diagnostics?: Diagnostic[];
  isPreferred?: boolean;
  command?: Command;
  constructor(readonly title: string, readonly kind?: CodeActionKind) {}
}

export enum DiagnosticSeverity { Error = 0, Warning = 1, Information = 2, Hint = 3 }
export enum StatusBarAlignment { Left = 1, Right = 2 }
export enum ViewColumn { Active = -1, Beside = -2, One = 1 }
export enum ProgressLocation { SourceControl = 1, Window = 10, Notification = 15 }

export class Diagnostic {
  source?: string;
  code?: string | number;
  constructor(readonly range: Range, readonly message: string, readonly severity: DiagnosticSeverity = DiagnosticSeverity.Error) {}
}

/** Everything the extension registered, for tests to inspect and call. */
export const registry = {
  commands: new Map<string, (...args: unknown[]) => unknown>(),
  executed: [] as { command: string; args: unknown[] }[],
  codeLensProviders: [] as unknown[],
  codeActionProviders: [] as unknown[],
  serializers: new Map<string, unknown>(),
  diagnostics: new Map<string, Map<string, Diagnostic[]>>(),
  statusBarItems: [] as { text: string; command?: string; visible: boolean }[],
  output: [] as string[],
  messages: [] as string[],
};

const textDocumentChanged = new EventEmitter<unknown>();
const documentClosed = new EventEmitter<unknown>();
const configurationChanged = new EventEmitter<unknown>();
const trustGranted = new EventEmitter<void>();

export class FakeDocument {
  readonly languageId = 'typescript';
  constructor(readonly uri: Uri, private text: string) {}
  getText(): string {
    return this.text;
  }
  setText(text: string): void {
    this.text = text;
  }
}

export const env = { clipboard: { writeText: (_t: string) => Promise.resolve() } };

export const workspace = {
  isTrusted: true,
  workspaceFolders: undefined as unknown,
  textDocuments: [] as unknown[],
  configuration: {} as Record<string, unknown>,
  getConfiguration: (_section: string) => ({ get: (key: string) => workspace.configuration[key] }),
  onDidChangeTextDocument: textDocumentChanged.event,
  onDidCloseTextDocument: documentClosed.event,
  onDidChangeConfiguration: configurationChanged.event,
  onDidGrantWorkspaceTrust: trustGranted.event,
  fireTextDocumentChange: (e: unknown) => textDocumentChanged.fire(e),
};

export const window = {
  createOutputChannel: (_name: string) => ({
    info: (m: string) => registry.output.push(m),
    append: (m: string) => registry.output.push(m),
    appendLine: (m: string) => registry.output.push(m),
    dispose: () => undefined,
  }),
  createStatusBarItem: (_id: string, _alignment?: StatusBarAlignment, _priority?: number) => {
    const item = { text: '', name: '', tooltip: '', command: undefined as string | undefined, visible: false, show() { item.visible = true; }, hide() { item.visible = false; }, dispose() { item.visible = false; } };
    registry.statusBarItems.push(item);
    return item;
  },
  showWarningMessage: (m: string) => {
    registry.messages.push(m);
    return Promise.resolve(undefined);
  },
  showInformationMessage: (m: string) => {
    registry.messages.push(m);
    return Promise.resolve(undefined);
  },
  registerWebviewPanelSerializer: (viewType: string, serializer: unknown) => {
    registry.serializers.set(viewType, serializer);
    return new Disposable(() => registry.serializers.delete(viewType));
  },
  activeTextEditor: undefined as unknown,
};

export const languages = {
  createDiagnosticCollection: (name: string) => {
    const map = new Map<string, Diagnostic[]>();
    registry.diagnostics.set(name, map);
    return {
      set: (uri: Uri, d: Diagnostic[]) => map.set(uri.fsPath, d),
      delete: (uri: Uri) => map.delete(uri.fsPath),
      get: (uri: Uri) => map.get(uri.fsPath),
      dispose: () => map.clear(),
    };
  },
  registerCodeLensProvider: (_selector: unknown, provider: unknown) => {
    registry.codeLensProviders.push(provider);
    return new Disposable();
  },
  registerCodeActionsProvider: (_selector: unknown, provider: unknown) => {
    registry.codeActionProviders.push(provider);
    return new Disposable();
  },
};

export const commands = {
  registerCommand: (id: string, fn: (...args: unknown[]) => unknown) => {
    registry.commands.set(id, fn);
    return new Disposable(() => registry.commands.delete(id));
  },
  executeCommand: (command: string, ...args: unknown[]) => {
    registry.executed.push({ command, args });
    const fn = registry.commands.get(command);
    return Promise.resolve(fn ? fn(...args) : undefined);
  },
};
