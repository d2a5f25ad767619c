/** S3BlobStore against fauxqs's S3: one bucket for the file, one key prefix per test. */
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientConfig } from '../../../core/aws/clients.ts';
import { S3BlobStore } from '../../../core/aws/s3-blob-store.ts';
import { type Emulator, startSqsS3 } from '../../../local/emulators.ts';
import { uid } from './fixtures.ts';

const BUCKET = 'stratus-blueprints';

let emulator: Emulator;
let s3: S3Client;
let blobs: S3BlobStore;

beforeAll(async () => {
  emulator = await startSqsS3();
  s3 = new S3Client({ ...clientConfig({ endpoint: emulator.endpoint }), forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  blobs = new S3BlobStore(s3, BUCKET);
});

afterAll(async () => {
  s3?.destroy();
  await emulator?.stop();
});

const utf8 = (s: string) => new TextEncoder().encode(s);

async function keysUnder(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const out = await s3.send(
      new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix, ContinuationToken: token }),
    );
    keys.push(...(out.Contents ?? []).flatMap((o) => (o.Key ? [o.Key] : [])));
    token = out.IsTruncated ? out.NextContinuationToken : undefined;
  } while (token);
  return keys.sort();
}

describe('S3BlobStore', () => {
  it('reads back the exact bytes it stored, binary included', async () => {
    const key = `blueprints/${uid('bp')}/scripts/create.sh`;
    const body = new Uint8Array(70_000).map((_, i) => (i * 31) % 256);
    await blobs.put(key, body);
    expect(await blobs.get(key)).toEqual(body);
  });

  it('overwrites a key with the newer body', async () => {
    const key = `blueprints/${uid('bp')}/blueprint.yaml`;
    await blobs.put(key, utf8('first'));
    await blobs.put(key, utf8('second'));
    expect(new TextDecoder().decode((await blobs.get(key)) ?? new Uint8Array())).toBe('second');
  });

  it('reads an empty file as empty bytes, not as missing', async () => {
    const key = `blueprints/${uid('bp')}/empty.txt`;
    await blobs.put(key, new Uint8Array());
    expect(await blobs.get(key)).toEqual(new Uint8Array());
  });

  it('returns null for a missing key', async () => {
    expect(await blobs.get(`blueprints/${uid('bp')}/missing.yaml`)).toBeNull();
  });

  it('deletes every key under a prefix and nothing beside it', async () => {
    const id = uid('bp');
    const mine = [
      `blueprints/${id}/blueprint.yaml`,
      `blueprints/${id}/scripts/a.sh`,
      `blueprints/${id}/x/y/z`,
    ];
    const neighbour = `blueprints/${id}-2/blueprint.yaml`;
    for (const k of [...mine, neighbour]) await blobs.put(k, utf8(k));
    await blobs.deletePrefix(`blueprints/${id}/`);
    for (const k of mine) expect(await blobs.get(k)).toBeNull();
    expect(await keysUnder(`blueprints/${id}/`)).toEqual([]);
    expect(await blobs.get(neighbour)).toEqual(utf8(neighbour));
  });

  it('deletes more keys than one listing page holds', async () => {
    const prefix = `blueprints/${uid('bp')}/`;
    const keys = Array.from({ length: 1100 }, (_, i) => `${prefix}files/${String(i).padStart(4, '0')}.txt`);
    for (let i = 0; i < keys.length; i += 100) {
      await Promise.all(keys.slice(i, i + 100).map((k) => blobs.put(k, utf8(k))));
    }
    expect(await keysUnder(prefix)).toHaveLength(1100);
    await blobs.deletePrefix(prefix);
    expect(await keysUnder(prefix)).toEqual([]);
  });

  it('does nothing when deleting a prefix with no keys', async () => {
    await blobs.deletePrefix(`blueprints/${uid('bp')}/`);
  });
});
