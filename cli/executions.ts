/** `stratus executions start | follow | list | get | cancel` */
import type { Execution } from '../core/model.ts';
import type { ListResponse } from './client.ts';
import { type CommandSpec, JSON_OPTION, UsageError } from './command.ts';
import { followExecution } from './follow.ts';
import { parseValues } from './inputs.ts';
import { printJson, shortTime, table } from './output.ts';

const start: CommandSpec = {
  group: 'executions',
  name: 'start',
  args: ['WORKFLOW'],
  summary: 'Start a workflow on a deployment and follow its events until it ends (exit 0 ok, 1 failed)',
  options: {
    'deployment-id': { type: 'string', short: 'd', value: 'DEPLOYMENT', description: 'the deployment' },
    parameters: {
      type: 'string',
      short: 'p',
      multiple: true,
      value: 'PARAM',
      description: 'key=value (typed: numbers, true/false, JSON) or a YAML/JSON file of parameters',
    },
    'allow-custom-parameters': {
      type: 'boolean',
      description: 'accept parameters the workflow does not declare',
    },
    'dry-run': { type: 'boolean', description: 'walk the task graph without running operations' },
    queue: { type: 'boolean', description: 'queue the execution if the deployment is busy' },
    force: { type: 'boolean', description: 'start even if another execution of the deployment is running' },
    'no-wait': { type: 'boolean', description: 'print the execution id and return at once' },
    ...JSON_OPTION,
  },
  required: ['deployment-id'],
  async run(ctx, a) {
    const exec = await ctx.client.request<Execution>('POST', '/executions', {
      deployment_id: a.str('deployment-id')!,
      workflow_id: a.arg('WORKFLOW'),
      parameters: parseValues(a.list('parameters')),
      allow_custom_parameters: a.flag('allow-custom-parameters'),
      dry_run: a.flag('dry-run'),
      queue: a.flag('queue'),
      force: a.flag('force'),
    });
    if (a.flag('no-wait') || a.flag('json')) {
      if (a.flag('json')) printJson(ctx.out, exec);
      else ctx.out.stdout(`${exec.id}\n`);
      return 0;
    }
    const dry = exec.is_dry_run ? ' (dry run)' : '';
    ctx.out.stdout(
      `Executing workflow ${exec.workflow_id} on deployment ${exec.deployment_id}${dry}: execution ${exec.id}\n`,
    );
    return followExecution(ctx, exec.id);
  },
};

const follow: CommandSpec = {
  group: 'executions',
  name: 'follow',
  args: ['ID'],
  summary: "Print an execution's events (from the start) until it ends; Ctrl-C stops following only",
  options: {},
  run: (ctx, a) => followExecution(ctx, a.arg('ID')),
};

function progress(e: Execution): string {
  return e.total_operations > 0 ? `${e.finished_operations}/${e.total_operations}` : '-';
}

const list: CommandSpec = {
  group: 'executions',
  name: 'list',
  args: [],
  summary: 'List executions, oldest first',
  options: {
    'deployment-id': {
      type: 'string',
      short: 'd',
      value: 'DEPLOYMENT',
      description: 'only those of this deployment',
    },
    ...JSON_OPTION,
  },
  async run(ctx, a) {
    const q = new URLSearchParams({ _get_all_results: 'true' });
    const dep = a.str('deployment-id');
    if (dep) q.set('deployment_id', dep);
    const res = await ctx.client.request<ListResponse<Execution>>('GET', `/executions?${q}`);
    if (a.flag('json')) printJson(ctx.out, res);
    else
      ctx.out.stdout(
        table(
          ['ID', 'WORKFLOW', 'DEPLOYMENT', 'STATUS', 'OPERATIONS', 'CREATED', 'ENDED'],
          res.items.map((e) => [
            e.id,
            e.workflow_id,
            e.deployment_id,
            e.is_dry_run ? `${e.status} (dry run)` : e.status,
            progress(e),
            shortTime(e.created_at),
            shortTime(e.ended_at),
          ]),
        ),
      );
    return 0;
  },
};

const get: CommandSpec = {
  group: 'executions',
  name: 'get',
  args: ['ID'],
  summary: 'Show one execution',
  options: { ...JSON_OPTION },
  async run(ctx, a) {
    const e = await ctx.client.getExecution(a.arg('ID'));
    if (a.flag('json')) {
      printJson(ctx.out, e);
      return 0;
    }
    const rows: [string, string][] = [
      ['id', e.id],
      ['workflow', e.workflow_id],
      ['deployment', e.deployment_id],
      ['blueprint', e.blueprint_id],
      ['status', e.status],
      ['dry run', String(e.is_dry_run)],
      ['operations', `${e.finished_operations}/${e.total_operations} finished`],
      ['parameters', JSON.stringify(e.parameters)],
      ['created', shortTime(e.created_at)],
      ['started', shortTime(e.started_at)],
      ['ended', shortTime(e.ended_at)],
    ];
    if (e.error) rows.push(['error', e.error]);
    const width = Math.max(...rows.map(([k]) => k.length));
    ctx.out.stdout(rows.map(([k, v]) => `${`${k}:`.padEnd(width + 1)}  ${v}\n`).join(''));
    return 0;
  },
};

const cancel: CommandSpec = {
  group: 'executions',
  name: 'cancel',
  args: ['ID'],
  summary: 'Cancel an execution (running operations finish first; --force or --kill do not wait)',
  options: {
    force: { type: 'boolean', description: 'force-cancel: stop without waiting for running operations' },
    kill: { type: 'boolean', description: 'kill: as --force, and stop the running operations too' },
  },
  async run(ctx, a) {
    if (a.flag('force') && a.flag('kill'))
      throw new UsageError('--force and --kill exclude each other', cancel);
    const action = a.flag('kill') ? 'kill' : a.flag('force') ? 'force-cancel' : 'cancel';
    const id = a.arg('ID');
    const e = await ctx.client.request<Execution>('POST', `/executions/${encodeURIComponent(id)}`, {
      action,
    });
    ctx.out.stdout(`Execution ${id}: ${action} requested (status ${e?.status ?? 'unknown'})\n`);
    return 0;
  },
};

export const executionCommands = [start, follow, list, get, cancel];
