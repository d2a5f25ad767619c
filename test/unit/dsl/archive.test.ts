import { gzipSync } from 'node:zlib';
import { zipSync } from 'fflate';
import tar from 'tar-stream';
import { describe, expect, it } from 'vitest';
import {
  decodeArchiveFiles,
  extractBlueprintArchive,
  MAX_ARCHIVE_ENTRIES,
} from '../../../core/dsl/archive.ts';
import { BadRequestError } from '../../../core/errors.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const BP = 'tosca_definitions_version: cloudify_dsl_1_4\n';

interface TarEntry {
  name: string;
  body?: string;
  type?: 'file' | 'symlink' | 'link' | 'directory';
  linkname?: string;
}

async function tarGz(entries: TarEntry[], gzip = true): Promise<Uint8Array> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => {
    chunks.push(c as Buffer);
  });
  const done = new Promise<void>((r) => {
    pack.on('end', () => r());
  });
  for (const e of entries) {
    const type = e.type ?? 'file';
    if (type === 'file') pack.entry({ name: e.name }, e.body ?? '');
    else pack.entry({ name: e.name, type, ...(e.linkname ? { linkname: e.linkname } : {}) });
  }
  pack.finalize();
  await done;
  const raw = Buffer.concat(chunks);
  return new Uint8Array(gzip ? gzipSync(raw) : raw);
}

async function rejection(p: Promise<unknown>): Promise<BadRequestError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BadRequestError);
  return err as BadRequestError;
}

describe('extractBlueprintArchive', () => {
  it('reads a zip with one top folder, stripping the folder', async () => {
    const zip = zipSync({ 'hello/blueprint.yaml': enc(BP), 'hello/scripts/create.sh': enc('echo hi') });
    const a = await extractBlueprintArchive(zip);
    expect(a.mainFile).toBe('blueprint.yaml');
    expect([...a.files.keys()].sort()).toEqual(['blueprint.yaml', 'scripts/create.sh']);
    expect(decodeArchiveFiles(a.files).get('scripts/create.sh')).toBe('echo hi');
  });

  it('reads a zip without a top folder', async () => {
    const a = await extractBlueprintArchive(zipSync({ 'blueprint.yaml': enc(BP), 'x.sh': enc('') }));
    expect([...a.files.keys()].sort()).toEqual(['blueprint.yaml', 'x.sh']);
  });

  it('reads a tar.gz with directory entries and a top folder', async () => {
    const bytes = await tarGz([
      { name: 'bp/', type: 'directory' },
      { name: 'bp/app.yaml', body: BP },
      { name: 'bp/scripts/s.sh', body: 'echo' },
    ]);
    const a = await extractBlueprintArchive(bytes, { applicationFileName: 'app.yaml' });
    expect(a.mainFile).toBe('app.yaml');
    expect([...a.files.keys()].sort()).toEqual(['app.yaml', 'scripts/s.sh']);
  });

  it('reads a tar.gz made with `tar -C dir .` (a ./ root entry and ./ prefixes)', async () => {
    const bytes = await tarGz([
      { name: './', type: 'directory' },
      { name: './blueprint.yaml', body: BP },
      { name: './scripts/', type: 'directory' },
      { name: './scripts/s.sh', body: 'echo' },
    ]);
    const a = await extractBlueprintArchive(bytes);
    expect([...a.files.keys()].sort()).toEqual(['blueprint.yaml', 'scripts/s.sh']);
  });

  it('reads a plain (uncompressed) tar', async () => {
    const a = await extractBlueprintArchive(await tarGz([{ name: 'blueprint.yaml', body: BP }], false));
    expect(a.mainFile).toBe('blueprint.yaml');
  });

  it('takes a single YAML document as blueprint.yaml', async () => {
    const a = await extractBlueprintArchive(enc(BP));
    expect(a.mainFile).toBe('blueprint.yaml');
    expect(new TextDecoder().decode(a.files.get('blueprint.yaml'))).toBe(BP);
  });

  it('refuses a binary upload that is neither an archive nor text', async () => {
    const err = await rejection(extractBlueprintArchive(new Uint8Array([0xff, 0xfe, 0x00, 0xc3, 0x28])));
    expect(err.message).toMatch(/neither a zip or tar.gz archive nor a UTF-8 YAML document/);
  });

  it('names the missing application file and the YAML files present', async () => {
    const err = await rejection(
      extractBlueprintArchive(zipSync({ 'main.yaml': enc(BP) }), { applicationFileName: 'blueprint.yaml' }),
    );
    expect(err.message).toContain('`blueprint.yaml` is not in the archive');
    expect(err.message).toContain('main.yaml');
  });

  it('refuses ../ in a zip entry, naming it', async () => {
    const err = await rejection(
      extractBlueprintArchive(zipSync({ '../evil.sh': enc('x'), 'blueprint.yaml': enc(BP) })),
    );
    expect(err.message).toContain('`../evil.sh`');
  });

  it('refuses ../ nested inside a tar entry path', async () => {
    const err = await rejection(
      extractBlueprintArchive(
        await tarGz([
          { name: 'bp/blueprint.yaml', body: BP },
          { name: 'bp/../../x', body: '' },
        ]),
      ),
    );
    expect(err.message).toContain('`bp/../../x`');
    expect(err.message).toContain('escapes');
  });

  it('refuses absolute paths', async () => {
    const err = await rejection(extractBlueprintArchive(zipSync({ '/etc/passwd': enc('x') })));
    expect(err.message).toContain('`/etc/passwd`');
  });

  it('refuses symbolic links in a tar.gz', async () => {
    const err = await rejection(
      extractBlueprintArchive(
        await tarGz([
          { name: 'blueprint.yaml', body: BP },
          { name: 'link', type: 'symlink', linkname: '/etc/passwd' },
        ]),
      ),
    );
    expect(err.message).toContain('`link` is a symbolic link');
  });

  it('refuses hard links in a tar.gz', async () => {
    const err = await rejection(
      extractBlueprintArchive(
        await tarGz([
          { name: 'blueprint.yaml', body: BP },
          { name: 'hard', type: 'link', linkname: 'blueprint.yaml' },
        ]),
      ),
    );
    expect(err.message).toContain('`hard` is a hard link');
  });

  it('refuses symbolic links in a zip (unix mode in the central directory)', async () => {
    const zip = zipSync({
      'blueprint.yaml': enc(BP),
      ln: [enc('/etc/passwd'), { os: 3, attrs: (0o120777 << 16) >>> 0 }],
    });
    const err = await rejection(extractBlueprintArchive(zip));
    expect(err.message).toContain('`ln` is a symbolic link');
  });

  it('refuses more than the entry limit', async () => {
    const files: Record<string, Uint8Array> = { 'blueprint.yaml': enc(BP) };
    for (let i = 0; i < MAX_ARCHIVE_ENTRIES; i++) files[`f${i}`] = enc('');
    const err = await rejection(extractBlueprintArchive(zipSync(files)));
    expect(err.message).toMatch(/more than 1000 entries/);
  });

  it('refuses archives that unpack to more than 50 MiB', async () => {
    const big = new Uint8Array(26 * 1024 * 1024);
    const zip = zipSync({ 'blueprint.yaml': enc(BP), a: big, b: big }, { level: 9 });
    const err = await rejection(extractBlueprintArchive(zip));
    expect(err.message).toMatch(/more than 52428800 bytes/);
    const tgzErr = await rejection(
      extractBlueprintArchive(
        new Uint8Array(
          gzipSync(
            Buffer.concat([
              Buffer.from(await tarGz([{ name: 'blueprint.yaml', body: BP }], false)),
              Buffer.alloc(60 * 1024 * 1024),
            ]),
          ),
        ),
      ),
    );
    expect(tgzErr.message).toMatch(/more than 52428800 bytes/);
  });
});
