/** Packs a blueprint folder into a tar.gz archive (what `PUT /blueprints/{id}` accepts). */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';

export async function packDirectory(dir: string): Promise<Uint8Array> {
  const entries = (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
  const p = pack();
  const chunks: Buffer[] = [];
  p.on('data', (c: unknown) => {
    chunks.push(c as Buffer);
  });
  const ended = new Promise<void>((resolve, reject) => {
    p.on('end', () => resolve());
    p.on('error', reject);
  });
  for (const file of entries) {
    const name = relative(dir, file).split(sep).join('/');
    const { mode } = await stat(file);
    p.entry({ name, mode: mode & 0o777 }, await readFile(file));
  }
  p.finalize();
  await ended;
  return gzipSync(Buffer.concat(chunks));
}
