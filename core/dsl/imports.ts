/**
 * Reads the main file and everything it imports (relative files transitively, each once; the built-in
 * types.yaml once whatever URL names it). Plugin imports and other URLs are refused by name.
 */
import { BUILTIN_TYPES, BUILTIN_TYPES_FILE, isBuiltinTypesImport } from './builtin-types.ts';
import { type Issues, SourceFile } from './source.ts';
import { isObject } from './values.ts';

export interface LoadedFile {
  source: SourceFile;
  /** the file's top-level mapping ({} when the file is empty or broken) */
  doc: Record<string, unknown>;
  builtin: boolean;
}

function dirname(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? '' : p.slice(0, i);
}

/** Joins and normalizes a relative import; null when it leaves the archive. */
export function resolveRelative(fromDir: string, rel: string): string | null {
  if (rel.startsWith('/')) return null;
  const parts = fromDir ? fromDir.split('/') : [];
  for (const seg of rel.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (parts.length === 0) return null;
      parts.pop();
    } else parts.push(seg);
  }
  return parts.join('/');
}

export function loadFiles(
  files: ReadonlyMap<string, string>,
  mainFile: string,
  issues: Issues,
): LoadedFile[] {
  const out: LoadedFile[] = [];
  const loaded = new Set<string>();
  let builtinLoaded = false;

  const load = (name: string): void => {
    loaded.add(name);
    const text = files.get(name) ?? '';
    const source = SourceFile.parse(name, text, issues);
    let doc: Record<string, unknown> = {};
    if (isObject(source.value)) doc = source.value;
    else if (source.value !== null && source.value !== undefined) {
      issues.add(name, [], 'a blueprint file must be a YAML mapping at the top level');
    }
    out.push({ source, doc, builtin: false });

    const imports = doc.imports;
    if (imports === undefined || imports === null) return;
    if (!Array.isArray(imports)) {
      issues.add(name, ['imports'], '`imports` must be a list of import URLs or paths');
      return;
    }
    imports.forEach((imp, i) => {
      const where = ['imports', i];
      if (typeof imp !== 'string' || imp.trim() === '') {
        issues.add(name, where, 'an import must be a non-empty string');
        return;
      }
      if (isBuiltinTypesImport(imp)) {
        if (!builtinLoaded) {
          builtinLoaded = true;
          out.push({
            source: SourceFile.data(BUILTIN_TYPES_FILE, BUILTIN_TYPES, issues),
            doc: BUILTIN_TYPES,
            builtin: true,
          });
        }
        return;
      }
      if (imp.startsWith('plugin:') || /\/plugin\.ya?ml$/.test(imp)) {
        issues.add(
          name,
          where,
          `plugin import \`${imp}\` is not supported: Stratus runs script operations only`,
        );
        return;
      }
      if (/^[a-z][a-z0-9+.-]*:/i.test(imp)) {
        issues.add(
          name,
          where,
          `unknown import URL \`${imp}\`: only Cloudify's types.yaml and files inside the blueprint archive can be imported`,
        );
        return;
      }
      const target = resolveRelative(dirname(name), imp) ?? null;
      const fromRoot = resolveRelative('', imp);
      const found =
        target !== null && files.has(target)
          ? target
          : fromRoot !== null && files.has(fromRoot)
            ? fromRoot
            : null;
      if (target === null && fromRoot === null) {
        issues.add(name, where, `import \`${imp}\` points outside the blueprint archive`);
        return;
      }
      if (found === null) {
        issues.add(name, where, `imported file \`${imp}\` is not in the blueprint archive`);
        return;
      }
      if (!loaded.has(found)) load(found);
    });
  };

  if (!files.has(mainFile)) {
    issues.addAt(mainFile, null, [], `main blueprint file \`${mainFile}\` is missing`);
    return out;
  }
  load(mainFile);
  return out;
}
