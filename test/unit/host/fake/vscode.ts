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
export enum QuickPickItemKind { Separator = -1, Default = 0 }
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
  /** Documents shown with window.showTextDocument, by path. */
  opened: [] as string[],
};

const textDocumentChanged = new EventEmitter<unknown>();
const documentClosed = new EventEmitter<unknown>();
const configurationChanged = new EventEmitter<unknown>();
const trustGranted = new EventEmitter<void>();
const foldersChanged = new EventEmitter<unknown>();

/** A file system watcher whose events tests fire by hand. */
export const watcher = {
  created: new EventEmitter<Uri>(),
  changed: new EventEmitter<Uri>(),
  deleted: new EventEmitter<Uri>(),
};

/** The workspace's files, by path: findFiles lists them, fs reads them. */
export const files = new Map<string, string>();

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
  onDidChangeWorkspaceFolders: foldersChanged.event,
  createFileSystemWatcher: (_glob: string) => ({
    onDidCreate: watcher.created.event, onDidChange: watcher.changed.event, onDidDelete: watcher.deleted.event, dispose: () => undefined,
  }),
  findFiles: (_include: string, _exclude?: string, max = Infinity) => Promise.resolve([...files.keys()].filter((f) => f.endsWith('.ts')).slice(0, max).map((f) => Uri.file(f))),
  getWorkspaceFolder: (uri: Uri) => (workspace.workspaceFolders as { uri: Uri }[] | undefined)?.find((f) => uri.path.startsWith(`${f.uri.path}/`)),
  asRelativePath: (p: string | Uri) => {
    const file = typeof p === 'string' ? p : p.fsPath;
    const folder = (workspace.workspaceFolders as { uri: Uri }[] | undefined)?.find((f) => file.startsWith(`${f.uri.path}/`));
    return folder ? file.slice(folder.uri.path.length + 1) : file;
  },
  openTextDocument: (arg: Uri | { language?: string; content?: string }) => {
    if (!(arg instanceof Uri)) return Promise.resolve(new FakeDocument(Uri.file(`Untitled-${registry.opened.length + 1}`), arg.content ?? ''));
    const open = (workspace.textDocuments as FakeDocument[]).find((d) => d.uri.fsPath === arg.fsPath);
    if (open) return Promise.resolve(open);
    return files.has(arg.fsPath) ? Promise.resolve(new FakeDocument(arg, files.get(arg.fsPath) as string)) : Promise.reject(new Error(`ENOENT ${arg.fsPath}`));
  },
  fs: {
    writeFile: (uri: Uri, bytes: Uint8Array) => {
      files.set(uri.fsPath, new TextDecoder().decode(bytes));
      return Promise.resolve();
    },
    copy: (_from: Uri, _to: Uri) => Promise.resolve(),
    stat: (uri: Uri) => (files.has(uri.fsPath) ? Promise.resolve({ size: (files.get(uri.fsPath) as string).length }) : Promise.reject(new Error('ENOENT'))),
    readFile: (uri: Uri) => (files.has(uri.fsPath) ? Promise.resolve(new TextEncoder().encode(files.get(uri.fsPath))) : Promise.reject(new Error('ENOENT'))),
  },
};

export enum TreeItemCollapsibleState { None = 0, Collapsed = 1, Expanded = 2 }

export class ThemeIcon {
  constructor(readonly id: string) {}
}

export class TreeItem {
  id?: string;
  description?: string;
  tooltip?: string;
  contextValue?: string;
  iconPath?: ThemeIcon;
  command?: Command;
  constructor(readonly label: string, readonly collapsibleState: TreeItemCollapsibleState = TreeItemCollapsibleState.None) {}
}

export const window = {
  /** Tree views by id; `provider` is the registered data provider. */
  treeViews: new Map<string, { provider: unknown; selection: unknown[]; message?: string; description?: string }>(),
  createTreeView: (id: string, options: { treeDataProvider: unknown }) => {
    const view = { provider: options.treeDataProvider, selection: [] as unknown[], message: undefined as string | undefined, description: undefined as string | undefined, dispose: () => window.treeViews.delete(id) };
    window.treeViews.set(id, view);
    return view;
  },
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
  showTextDocument: (doc: Uri | FakeDocument) => {
    registry.opened.push(doc instanceof Uri ? doc.fsPath : doc.uri.fsPath);
    return Promise.resolve(undefined);
  },
  withProgress: <T>(_options: unknown, task: (progress: { report(v: unknown): void }, token: { onCancellationRequested(l: () => void): Disposable }) => Promise<T>) =>
    task({ report: () => undefined }, { onCancellationRequested: () => new Disposable() }),
  showQuickPick: (items: unknown[]) => Promise.resolve(items[0]),
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
