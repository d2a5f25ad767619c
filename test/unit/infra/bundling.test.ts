import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLING } from '../../../infra/constructs/functions.ts';

const projectRoot = fileURLToPath(new URL('../../../', import.meta.url));
let outDir: string;

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'stratus-bundle-'));
});
afterAll(async () => {
  await rm(outDir, { recursive: true, force: true });
});

/**
 * Bundles `source` with the functions' esbuild options and runs the bundle in a plain Node process
 * (as Lambda does: no test runner globals such as `require`); returns what it printed, parsed.
 */
async function bundleAndRun(name: string, source: string): Promise<Record<string, unknown>> {
  const result = await build({
    stdin: { contents: source, resolveDir: projectRoot, loader: 'ts', sourcefile: `${name}.ts` },
    bundle: true,
    platform: 'node',
    write: false,
    format: 'esm',
    target: BUNDLING.target,
    mainFields: BUNDLING.mainFields,
    minify: BUNDLING.minify,
    keepNames: BUNDLING.keepNames,
    banner: { js: BUNDLING.banner },
    logLevel: 'silent',
  });
  const file = join(outDir, `${name}.mjs`);
  await writeFile(file, result.outputFiles[0]!.text);
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [file]);
    return JSON.parse(stdout) as Record<string, unknown>;
  } catch (err) {
    // Node echoes the (minified, one-line) source around the error: keep only the error lines
    const stderr = String((err as { stderr?: unknown }).stderr ?? err);
    const errors = stderr.split('\n').filter((line) => /^\w*Error\b/.test(line));
    throw new Error(`the ${name} bundle failed: ${errors.join(' | ') || stderr.slice(0, 500)}`);
  }
}

describe('function bundles', () => {
  it('keep error class names, which the state machine matches to retry', async () => {
    const out = await bundleAndRun(
      'errors',
      "import { RetryableError } from './core/errors.ts'; console.log(JSON.stringify({ name: new RetryableError('x').name }));",
    );
    expect(out.name).toBe('RetryableError');
  });

  it('load CommonJS dependencies that require Node built-ins, as ESM', async () => {
    const out = await bundleAndRun(
      'busboy',
      "import busboy from 'busboy'; const b = busboy({ headers: { 'content-type': 'multipart/form-data; boundary=x' } }); console.log(JSON.stringify({ kind: typeof b.on }));",
    );
    expect(out.kind).toBe('function');
  });
});
