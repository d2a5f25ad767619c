/**
 * YAML sources with positions, and the collector of every problem found in a blueprint.
 * Issues carry a path (segments) so that the line and column can be looked up in the file's AST.
 */
import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  type Pair,
  parseDocument,
  type YAMLMap,
} from 'yaml';
import { type BlueprintIssue, BlueprintValidationError } from '../errors.ts';

export type Path = readonly (string | number)[];

/** `node_templates.web.relationships[0].target` */
export function formatPath(path: Path): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? seg : `.${seg}`;
  }
  return out;
}

export interface Position {
  line: number;
  column: number;
}

export class SourceFile {
  readonly value: unknown;
  /** false when the YAML itself is broken (then nothing else is checked in it) */
  readonly ok: boolean;
  private readonly doc: Document | null;
  private readonly lines: LineCounter | null;

  private constructor(
    readonly file: string,
    value: unknown,
    ok: boolean,
    doc: Document | null,
    lines: LineCounter | null,
  ) {
    this.value = value;
    this.ok = ok;
    this.doc = doc;
    this.lines = lines;
  }

  /** Parses YAML; syntax errors become issues (and the value is null). */
  static parse(file: string, text: string, issues: Issues): SourceFile {
    const lines = new LineCounter();
    const doc = parseDocument(text, {
      lineCounter: lines,
      merge: true,
      prettyErrors: false,
      // duplicate keys are found by `duplicateKeys` in O(n); the library's check is quadratic per map
      uniqueKeys: false,
    });
    let value: unknown = null;
    let ok = true;
    let protoKey: (string | number)[] | null = null;
    if (doc.errors.length > 0) {
      ok = false;
      for (const e of doc.errors) {
        const { line, col } = lines.linePos(e.pos[0]);
        issues.addAt(file, { line, column: col }, [], `YAML: ${firstLine(e.message)}`);
      }
    } else {
      for (const d of duplicateKeys(doc.contents)) {
        ok = false;
        const { line, col } = lines.linePos(d.offset);
        issues.addAt(file, { line, column: col }, [], `YAML: duplicate key \`${d.key}\` in a mapping`);
      }
    }
    if (ok) {
      try {
        value = doc.toJS({ maxAliasCount: 1000 });
        protoKey = findProtoKey(value, []);
        if (protoKey) {
          ok = false;
          value = null;
        }
      } catch (err) {
        ok = false;
        issues.addAt(file, null, [], `YAML: ${firstLine((err as Error).message)}`);
      }
    }
    const src = new SourceFile(file, value, ok, doc, lines);
    issues.register(src);
    if (protoKey) issues.add(file, protoKey, 'the key `__proto__` is not allowed');
    return src;
  }

  /** A source made of data (the built-in types.yaml): no positions. */
  static data(file: string, value: unknown, issues: Issues): SourceFile {
    const src = new SourceFile(file, value, true, null, null);
    issues.register(src);
    return src;
  }

  /** Position of the deepest node along `path` (the key of a map entry, the item of a list). */
  locate(path: Path): Position | null {
    if (!this.doc || !this.lines) return null;
    let node: unknown = this.doc.contents;
    let offset: number | null = rangeStart(node);
    for (const seg of path) {
      node = this.deref(node);
      if (isMap(node)) {
        const pair = this.pairIndex(node).get(String(seg));
        if (!pair) break;
        offset = rangeStart(pair.key) ?? offset;
        node = pair.value;
      } else if (isSeq(node) && typeof seg === 'number') {
        const item = node.items[seg];
        if (item === undefined) break;
        offset = rangeStart(item) ?? offset;
        node = item;
      } else {
        break;
      }
    }
    if (offset === null) return null;
    const { line, col } = this.lines.linePos(offset);
    return { line, column: col };
  }

  private readonly pairs = new WeakMap<object, Map<string, Pair>>();

  /** Keys of a mapping, indexed once (many issues in a large mapping stay linear). */
  private pairIndex(map: YAMLMap): Map<string, Pair> {
    let idx = this.pairs.get(map);
    if (!idx) {
      idx = new Map();
      for (const p of map.items) {
        const k = keyString(p.key);
        if (k !== null && !idx.has(k)) idx.set(k, p);
      }
      this.pairs.set(map, idx);
    }
    return idx;
  }

  private deref(node: unknown): unknown {
    if (isAlias(node) && this.doc) return node.resolve(this.doc);
    return node;
  }
}

function duplicateKeys(root: unknown): { key: string; offset: number }[] {
  const out: { key: string; offset: number }[] = [];
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        const k = isScalar(pair.key) ? String(pair.key.value) : null;
        if (k !== null && k !== '<<') {
          if (seen.has(k)) out.push({ key: k, offset: rangeStart(pair.key) ?? 0 });
          seen.add(k);
        }
        stack.push(pair.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) stack.push(item);
    }
  }
  return out.sort((a, b) => a.offset - b.offset);
}

/** `__proto__` as a mapping key would reach object prototypes: refused wherever it appears. */
function findProtoKey(v: unknown, path: (string | number)[]): (string | number)[] | null {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const r = findProtoKey(v[i], [...path, i]);
      if (r) return r;
    }
  } else if (typeof v === 'object' && v !== null) {
    for (const k of Object.keys(v)) {
      if (k === '__proto__') return [...path, k];
      const r = findProtoKey((v as Record<string, unknown>)[k], [...path, k]);
      if (r) return r;
    }
  }
  return null;
}

function keyString(key: unknown): string | null {
  if (isScalar(key)) return String(key.value);
  return null;
}

function rangeStart(node: unknown): number | null {
  const r = (node as Node | null | undefined)?.range;
  return r ? r[0] : null;
}

function firstLine(msg: string): string {
  return msg.split('\n')[0] ?? msg;
}

export class Issues {
  readonly list: BlueprintIssue[] = [];
  private readonly sources = new Map<string, SourceFile>();
  private readonly seen = new Set<string>();

  register(src: SourceFile): void {
    this.sources.set(src.file, src);
  }

  /** Records a problem at `path` of `file`; the same message at the same place is recorded once. */
  add(file: string, path: Path, message: string): void {
    this.addAt(file, this.sources.get(file)?.locate(path) ?? null, path, message);
  }

  addAt(file: string, pos: Position | null, path: Path, message: string): void {
    const p = formatPath(path);
    const key = `${file}\u0000${p}\u0000${message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.list.push({ file, line: pos?.line ?? null, column: pos?.column ?? null, path: p, message });
  }

  get count(): number {
    return this.list.length;
  }

  /** Throws every issue, ordered by file (as first registered) and line. */
  throwIfAny(): void {
    if (this.list.length === 0) return;
    const order = [...this.sources.keys()];
    const rank = (f: string) => (order.includes(f) ? order.indexOf(f) : order.length);
    const sorted = this.list
      .map((issue, i) => ({ issue, i }))
      .sort(
        (a, b) =>
          rank(a.issue.file) - rank(b.issue.file) ||
          (a.issue.line ?? 0) - (b.issue.line ?? 0) ||
          (a.issue.column ?? 0) - (b.issue.column ?? 0) ||
          a.i - b.i,
      )
      .map((x) => x.issue);
    throw new BlueprintValidationError(sorted);
  }
}

/** Where a definition lives: file and path inside it. */
export interface Where {
  file: string;
  path: Path;
}

export const at = (w: Where, ...more: (string | number)[]): Where => ({
  file: w.file,
  path: [...w.path, ...more],
});
