/**
 * fauxqs keeps S3 objects in memory only. With a data dir, the local stack writes every blob through
 * to disk as well and uploads them again at start, so blueprints survive a restart. Reads go to S3.
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { BlobStore } from '../core/ports.ts';

export class MirroredBlobStore implements BlobStore {
  constructor(
    private readonly inner: BlobStore,
    private readonly dir: string,
  ) {}

  private path(key: string): string {
    return join(this.dir, ...key.split('/'));
  }

  async put(key: string, body: Uint8Array): Promise<void> {
    await mkdir(dirname(this.path(key)), { recursive: true });
    await writeFile(this.path(key), body);
    await this.inner.put(key, body);
  }

  get(key: string): Promise<Uint8Array | null> {
    return this.inner.get(key);
  }

  async deletePrefix(prefix: string): Promise<void> {
    await this.inner.deletePrefix(prefix);
    await rm(this.path(prefix.replace(/\/$/, '')), { recursive: true, force: true });
  }

  /** Uploads everything kept on disk (called once at start). Returns how many blobs were restored. */
  async restore(): Promise<number> {
    let files: string[];
    try {
      files = (await readdir(this.dir, { recursive: true, withFileTypes: true }))
        .filter((e) => e.isFile())
        .map((e) => join(e.parentPath, e.name));
    } catch {
      return 0;
    }
    for (const f of files)
      await this.inner.put(relative(this.dir, f).split(sep).join('/'), await readFile(f));
    return files.length;
  }
}
