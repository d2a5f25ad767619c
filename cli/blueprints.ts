/** `stratus blueprints upload | list | delete` */
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Blueprint } from '../core/model.ts';
import { packDirectory } from './archive.ts';
import type { ListResponse } from './client.ts';
import { type CommandSpec, JSON_OPTION, UsageError } from './command.ts';
import { printJson, shortTime, table } from './output.ts';

const FILE_KINDS = /\.(zip|tar\.gz|tgz|tar|ya?ml)$/i;

/** A folder is packed as tar.gz; an archive or YAML file goes as it is. */
export async function readBlueprintSource(
  path: string,
  mainFile: string | undefined,
): Promise<{ bytes: Uint8Array; applicationFileName: string | undefined }> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch {
    throw new UsageError(`blueprint path \`${path}\` does not exist`);
  }
  if (info.isDirectory()) return { bytes: await packDirectory(path), applicationFileName: mainFile };
  if (!FILE_KINDS.test(path)) {
    throw new UsageError(
      `blueprint path \`${path}\` must be a folder, a .zip, .tar.gz, .tgz, .tar archive or a .yaml file`,
    );
  }
  const bytes = new Uint8Array(await readFile(path));
  // a single YAML document is named after its file, so that validation issues name it too
  const yamlName = /\.ya?ml$/i.test(path) ? basename(path) : undefined;
  return { bytes, applicationFileName: mainFile ?? yamlName };
}

const upload: CommandSpec = {
  group: 'blueprints',
  name: 'upload',
  args: ['PATH'],
  summary: 'Upload a blueprint: a folder (packed as tar.gz), a .zip/.tar.gz archive or a .yaml file',
  options: {
    'blueprint-id': { type: 'string', short: 'b', value: 'ID', description: 'id of the new blueprint' },
    'blueprint-filename': {
      type: 'string',
      short: 'n',
      value: 'FILE',
      description: 'main YAML file inside the archive (default blueprint.yaml)',
    },
    ...JSON_OPTION,
  },
  required: ['blueprint-id'],
  async run(ctx, a) {
    const id = a.str('blueprint-id')!;
    const src = await readBlueprintSource(a.arg('PATH'), a.str('blueprint-filename'));
    const bp =
      src.applicationFileName === undefined
        ? await ctx.client.uploadBlueprint(id, src.bytes)
        : await ctx.client.uploadBlueprint(id, src.bytes, src.applicationFileName);
    if (a.flag('json')) printJson(ctx.out, bp);
    else ctx.out.stdout(`Blueprint ${bp.id} uploaded\n`);
    return 0;
  },
};

const list: CommandSpec = {
  group: 'blueprints',
  name: 'list',
  args: [],
  summary: 'List blueprints',
  options: { ...JSON_OPTION },
  async run(ctx, a) {
    const res = await ctx.client.request<ListResponse<Blueprint>>('GET', '/blueprints?_get_all_results=true');
    if (a.flag('json')) printJson(ctx.out, res);
    else
      ctx.out.stdout(
        table(
          ['ID', 'MAIN FILE', 'CREATED', 'DESCRIPTION'],
          res.items.map((b) => [
            b.id,
            b.main_file_name,
            shortTime(b.created_at),
            (b.description ?? '').replace(/\s+/g, ' ').trim().slice(0, 60),
          ]),
        ),
      );
    return 0;
  },
};

const remove: CommandSpec = {
  group: 'blueprints',
  name: 'delete',
  args: ['ID'],
  summary: 'Delete a blueprint',
  options: {},
  async run(ctx, a) {
    const id = a.arg('ID');
    await ctx.client.request('DELETE', `/blueprints/${encodeURIComponent(id)}`);
    ctx.out.stdout(`Blueprint ${id} deleted\n`);
    return 0;
  },
};

export const blueprintCommands = [upload, list, remove];
