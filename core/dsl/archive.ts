/**
 * Blueprint archives: zip, tar.gz (or plain tar), or a single YAML document.
 * Entries are checked before anything is kept: no path escapes, no links, bounded count and size.
 */
import { gunzipSync } from 'node:zlib';
import { unzipSync } from 'fflate';
import tar from 'tar-stream';
import { BadRequestError } from '../errors.ts';

export const MAX_ARCHIVE_ENTRIES = 1000;
export const MAX_UNPACKED_BYTES = 50 * 1024 * 1024;
export const DEFAULT_APPLICATION_FILE = 'blueprint.yaml';

export interface BlueprintArchive {
  /** archive-relative paths (top folder stripped, `/` separated) → contents */
  files: Map<string, Uint8Array>;
  /** key of `files` holding the main blueprint */
  mainFile: string;
}

const CODE = 'invalid_blueprint_archive_error';

export async function extractBlueprintArchive(
  bytes: Uint8Array,
  opts: { applicationFileName?: string } = {},
): Promise<BlueprintArchive> {
  const raw = isZip(bytes)
    ? extractZip(bytes)
    : isGzip(bytes)
      ? await extractTar(gunzipLimited(bytes))
      : isTar(bytes)
        ? await extractTar(bytes)
        : null;
  if (raw === null) return singleDocument(bytes, opts.applicationFileName);

  const files = stripTopFolder(raw);
  const wanted = opts.applicationFileName ?? DEFAULT_APPLICATION_FILE;
  const mainFile = safePath(wanted, 'application_file_name');
  if (!files.has(mainFile)) {
    const yamls = [...files.keys()].filter((f) => /\.ya?ml$/i.test(f));
    throw new BadRequestError(
      `application file \`${mainFile}\` is not in the archive; YAML files in it: ${yamls.length ? yamls.join(', ') : 'none'}`,
      CODE,
    );
  }
  return { files, mainFile };
}

/** Decodes every file as UTF-8 (what the parser and the script sender read). */
export function decodeArchiveFiles(files: ReadonlyMap<string, Uint8Array>): Map<string, string> {
  const dec = new TextDecoder();
  const out = new Map<string, string>();
  for (const [name, data] of files) out.set(name, dec.decode(data));
  return out;
}

function singleDocument(bytes: Uint8Array, applicationFileName: string | undefined): BlueprintArchive {
  if (bytes.length > MAX_UNPACKED_BYTES) {
    throw new BadRequestError(`blueprint is larger than ${MAX_UNPACKED_BYTES} bytes`, CODE);
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new BadRequestError(
      'blueprint upload is neither a zip or tar.gz archive nor a UTF-8 YAML document',
      CODE,
    );
  }
  const name = safePath(applicationFileName ?? DEFAULT_APPLICATION_FILE, 'application_file_name');
  return { files: new Map([[name, bytes]]), mainFile: name };
}

const isZip = (b: Uint8Array) =>
  b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && (b[2] === 3 || b[2] === 5) && (b[3] === 4 || b[3] === 6);
const isGzip = (b: Uint8Array) => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
const isTar = (b: Uint8Array) =>
  b.length >= 263 && new TextDecoder().decode(b.subarray(257, 262)) === 'ustar';

function gunzipLimited(bytes: Uint8Array): Uint8Array {
  try {
    // the tar framing adds headers, so allow a little more than the content limit
    return gunzipSync(bytes, { maxOutputLength: MAX_UNPACKED_BYTES + (MAX_ARCHIVE_ENTRIES + 2) * 1024 });
  } catch (err) {
    const tooBig = err instanceof RangeError || /buffer|length/i.test(String((err as Error).message));
    throw new BadRequestError(
      tooBig
        ? `archive unpacks to more than ${MAX_UNPACKED_BYTES} bytes`
        : `archive is not a valid gzip stream: ${(err as Error).message}`,
      CODE,
    );
  }
}

/**
 * Checks one entry name and returns it normalized (`./a//b` → `a/b`).
 * Refuses absolute paths, drive letters, backslashes and `..` segments.
 */
function safePath(name: string, what = 'archive entry'): string {
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name) || name.includes('\\') || name.includes('\0')) {
    throw new BadRequestError(`${what} \`${name}\` is an absolute or non-portable path`, CODE);
  }
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..'))
    throw new BadRequestError(`${what} \`${name}\` escapes the archive (\`..\`)`, CODE);
  if (parts.length === 0) throw new BadRequestError(`${what} \`${name}\` is empty`, CODE);
  return parts.join('/');
}

class Collector {
  readonly files = new Map<string, Uint8Array>();
  private entries = 0;
  private bytes = 0;

  entry(name: string): void {
    this.entries += 1;
    if (this.entries > MAX_ARCHIVE_ENTRIES) {
      throw new BadRequestError(
        `archive has more than ${MAX_ARCHIVE_ENTRIES} entries (at \`${name}\`)`,
        CODE,
      );
    }
  }

  size(name: string, n: number): void {
    this.bytes += n;
    if (this.bytes > MAX_UNPACKED_BYTES) {
      throw new BadRequestError(
        `archive unpacks to more than ${MAX_UNPACKED_BYTES} bytes (at \`${name}\`)`,
        CODE,
      );
    }
  }

  add(name: string, data: Uint8Array): void {
    const path = safePath(name);
    if (this.files.has(path)) throw new BadRequestError(`archive entry \`${name}\` appears twice`, CODE);
    this.files.set(path, data);
  }
}

function extractZip(bytes: Uint8Array): Map<string, Uint8Array> {
  const c = new Collector();
  for (const e of zipDirectory(bytes)) {
    c.entry(e.name);
    if (e.isLink) throw new BadRequestError(`archive entry \`${e.name}\` is a symbolic link`, CODE);
    if (!e.name.endsWith('/')) safePath(e.name);
  }
  let out: Record<string, Uint8Array>;
  try {
    out = unzipSync(bytes, {
      filter: (f) => {
        if (f.name.endsWith('/')) return false;
        c.size(f.name, f.originalSize);
        return true;
      },
    });
  } catch (err) {
    if (err instanceof BadRequestError) throw err;
    throw new BadRequestError(`archive is not a valid zip file: ${(err as Error).message}`, CODE);
  }
  let total = 0;
  for (const [name, data] of Object.entries(out)) {
    total += data.length;
    if (total > MAX_UNPACKED_BYTES) {
      throw new BadRequestError(
        `archive unpacks to more than ${MAX_UNPACKED_BYTES} bytes (at \`${name}\`)`,
        CODE,
      );
    }
    c.add(name, data);
  }
  return c.files;
}

/**
 * Reads the zip central directory for what fflate does not expose: entry count and
 * Unix file modes (a symbolic link is stored as a regular entry with mode 0o120000).
 */
function zipDirectory(b: Uint8Array): { name: string; isLink: boolean }[] {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let eocd = -1;
  for (let i = b.length - 22; i >= Math.max(0, b.length - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new BadRequestError('archive is not a valid zip file: no central directory', CODE);
  const count = view.getUint16(eocd + 10, true);
  let p = view.getUint32(eocd + 16, true);
  const dec = new TextDecoder();
  const out: { name: string; isLink: boolean }[] = [];
  for (let i = 0; i < count; i++) {
    if (p + 46 > b.length || view.getUint32(p, true) !== 0x02014b50) {
      throw new BadRequestError('archive is not a valid zip file: corrupt central directory', CODE);
    }
    if (out.length >= MAX_ARCHIVE_ENTRIES) {
      throw new BadRequestError(`archive has more than ${MAX_ARCHIVE_ENTRIES} entries`, CODE);
    }
    const madeBy = view.getUint16(p + 4, true) >> 8;
    const nameLen = view.getUint16(p + 28, true);
    const extraLen = view.getUint16(p + 30, true);
    const commentLen = view.getUint16(p + 32, true);
    const mode = view.getUint32(p + 38, true) >>> 16;
    const name = dec.decode(b.subarray(p + 46, p + 46 + nameLen));
    out.push({ name, isLink: madeBy === 3 && (mode & 0o170000) === 0o120000 });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

async function extractTar(bytes: Uint8Array): Promise<Map<string, Uint8Array>> {
  const c = new Collector();
  const ex = tar.extract();
  ex.end(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  try {
    for await (const entry of ex) {
      const { name, type } = entry.header;
      c.entry(name);
      if (type === 'symlink' || type === 'link') {
        entry.resume();
        throw new BadRequestError(
          `archive entry \`${name}\` is a ${type === 'link' ? 'hard' : 'symbolic'} link`,
          CODE,
        );
      }
      if (type === 'directory') {
        // `./`, the archive's own root (what `tar -C dir .` writes first), names nothing to check
        if (!/^(\.\/)*\.?\/?$/.test(name)) safePath(name);
        entry.resume();
        continue;
      }
      if (type !== 'file' && type !== 'contiguous-file') {
        entry.resume();
        throw new BadRequestError(`archive entry \`${name}\` is a ${type}, not a regular file`, CODE);
      }
      safePath(name);
      const chunks: Buffer[] = [];
      let n = 0;
      for await (const chunk of entry as AsyncIterable<Buffer>) {
        n += chunk.length;
        c.size(name, chunk.length);
        chunks.push(chunk);
      }
      c.add(name, new Uint8Array(Buffer.concat(chunks, n)));
    }
  } catch (err) {
    ex.destroy();
    if (err instanceof BadRequestError) throw err;
    throw new BadRequestError(`archive is not a valid tar file: ${(err as Error).message}`, CODE);
  }
  return c.files;
}

/** Archives made by `tar czf bp.tgz mybp/` hold everything under one folder: drop it. */
function stripTopFolder(files: Map<string, Uint8Array>): Map<string, Uint8Array> {
  let top: string | null = null;
  for (const name of files.keys()) {
    const slash = name.indexOf('/');
    if (slash < 0) return files;
    const first = name.slice(0, slash);
    if (top === null) top = first;
    else if (top !== first) return files;
  }
  if (top === null) return files;
  const out = new Map<string, Uint8Array>();
  for (const [name, data] of files) out.set(name.slice(top.length + 1), data);
  return out;
}
