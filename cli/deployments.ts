/** `stratus deployments create | list | delete | outputs` */
import type { Deployment, Json } from '../core/model.ts';
import { ApiError, type ListResponse } from './client.ts';
import { type CommandSpec, JSON_OPTION } from './command.ts';
import { parseValues } from './inputs.ts';
import { printJson, shortTime, table } from './output.ts';

const path = (id: string) => `/deployments/${encodeURIComponent(id)}`;

const create: CommandSpec = {
  group: 'deployments',
  name: 'create',
  args: ['ID'],
  summary: 'Create a deployment of a blueprint',
  options: {
    'blueprint-id': {
      type: 'string',
      short: 'b',
      value: 'BLUEPRINT',
      description: 'the blueprint to deploy',
    },
    inputs: {
      type: 'string',
      short: 'i',
      multiple: true,
      value: 'INPUT',
      description: 'key=value (typed: numbers, true/false, JSON) or a YAML/JSON file of inputs',
    },
    ...JSON_OPTION,
  },
  required: ['blueprint-id'],
  async run(ctx, a) {
    const inputs = parseValues(a.list('inputs'));
    const dep = await ctx.client.createDeployment(a.arg('ID'), a.str('blueprint-id')!, inputs);
    if (a.flag('json')) printJson(ctx.out, dep);
    else ctx.out.stdout(`Deployment ${dep.id} created from blueprint ${dep.blueprint_id}\n`);
    return 0;
  },
};

const list: CommandSpec = {
  group: 'deployments',
  name: 'list',
  args: [],
  summary: 'List deployments',
  options: {
    'blueprint-id': {
      type: 'string',
      short: 'b',
      value: 'BLUEPRINT',
      description: 'only those of this blueprint',
    },
    ...JSON_OPTION,
  },
  async run(ctx, a) {
    const q = new URLSearchParams({ _get_all_results: 'true' });
    const bp = a.str('blueprint-id');
    if (bp) q.set('blueprint_id', bp);
    const res = await ctx.client.request<ListResponse<Deployment>>('GET', `/deployments?${q}`);
    if (a.flag('json')) printJson(ctx.out, res);
    else
      ctx.out.stdout(
        table(
          ['ID', 'BLUEPRINT', 'CREATED', 'ACTIVE EXECUTION'],
          res.items.map((d) => [d.id, d.blueprint_id, shortTime(d.created_at), d.active_execution_id ?? '-']),
        ),
      );
    return 0;
  },
};

const remove: CommandSpec = {
  group: 'deployments',
  name: 'delete',
  args: ['ID'],
  summary: 'Delete a deployment (refused while its node instances are live, unless --force)',
  options: {
    force: { type: 'boolean', short: 'f', description: 'delete even if node instances are not deleted' },
  },
  async run(ctx, a) {
    const id = a.arg('ID');
    try {
      await ctx.client.request('DELETE', `${path(id)}${a.flag('force') ? '?force=true' : ''}`);
    } catch (err) {
      if (!(err instanceof ApiError) || err.errorCode !== 'dependent_exists_error') throw err;
      ctx.out.stderr(
        `error: ${err.message} (${err.errorCode})\n` +
          `hint: run \`stratus executions start uninstall -d ${id}\` first, or add --force\n`,
      );
      return 1;
    }
    ctx.out.stdout(`Deployment ${id} deleted\n`);
    return 0;
  },
};

const outputs: CommandSpec = {
  group: 'deployments',
  name: 'outputs',
  args: ['ID'],
  summary: "Show a deployment's outputs, evaluated now",
  options: { ...JSON_OPTION },
  async run(ctx, a) {
    const res = await ctx.client.request<{ deployment_id: string; outputs: Record<string, Json> }>(
      'GET',
      `${path(a.arg('ID'))}/outputs`,
    );
    if (a.flag('json')) printJson(ctx.out, res);
    else {
      const entries = Object.entries(res.outputs);
      if (entries.length === 0) ctx.out.stdout(`Deployment ${res.deployment_id} has no outputs\n`);
      for (const [k, v] of entries)
        ctx.out.stdout(`${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}\n`);
    }
    return 0;
  },
};

export const deploymentCommands = [create, list, remove, outputs];
