/** Builds zip and tar.gz blueprint archives in memory (one top folder, as `cfy` packs them). */
import { gzipSync } from 'node:zlib';
import { zipSync } from 'fflate';
import tar from 'tar-stream';

export function zipOf(files: Map<string, Uint8Array>, top = 'hello-world'): Uint8Array {
  const entries: Record<string, Uint8Array> = {};
  for (const [path, bytes] of files) entries[`${top}/${path}`] = bytes;
  return zipSync(entries);
}

export async function tarGzOf(files: Map<string, Uint8Array>, top = 'hello-world'): Promise<Uint8Array> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    pack.on('data', (c: unknown) => {
      chunks.push(c as Buffer);
    });
    pack.on('end', () => resolve());
    pack.on('error', reject);
  });
  for (const [path, bytes] of files) pack.entry({ name: `${top}/${path}` }, Buffer.from(bytes));
  pack.finalize();
  await done;
  return new Uint8Array(gzipSync(Buffer.concat(chunks)));
}
