/**
 * The README's curl quickstart, run as written (bash + curl) against the local stack, so that the
 * README stays true. Only the token, the API port and the web server port are substituted.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freePort, startTestStack, type TestStack } from './support/stack.ts';

const ROOT = join(import.meta.dirname, '../..');

function quickstart(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### hello-world with curl'));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error('README: no sh block under "### hello-world with curl"');
  return block;
}

let t: TestStack;
beforeAll(async () => {
  t = await startTestStack();
});
afterAll(async () => {
  await t?.stack.stop();
});

it('the README quickstart installs and uninstalls hello-world', async () => {
  const web = await freePort();
  const script = quickstart()
    .replace('<the token>', t.stack.token)
    .replace('http://127.0.0.1:8787/api/v3.1', t.stack.apiUrl)
    .replaceAll('8000', String(web));
  const { stdout } = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', script], {
    cwd: ROOT,
    timeout: 60_000,
  });
  expect(stdout).toContain('workflow_succeeded');
  expect(stdout).toContain('Hello from Stratus');
  expect(stdout).toMatch(/http_web_server_[a-z0-9]{6} {2}started {2}\{"root_dir"/);
  expect(stdout.trim().split('\n').at(-1)).toBe('terminated');
  const instances = await t.client.nodeInstances('hello');
  expect(instances.map((i) => i.state)).toEqual(['deleted', 'deleted']);
});
