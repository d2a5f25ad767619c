/** `stratus operations list`: the task graph of an execution */
import type { OperationView } from '../core/services/events.ts';
import type { ListResponse } from './client.ts';
import { type CommandSpec, JSON_OPTION } from './command.ts';
import { printJson, table } from './output.ts';

/** `2/4`: the second of at most four runs; a negative max_retries retries without end. */
function attempt(o: OperationView): string {
  return o.max_retries < 0 ? `${o.retries + 1}` : `${o.retries + 1}/${o.max_retries + 1}`;
}

const list: CommandSpec = {
  group: 'operations',
  name: 'list',
  args: [],
  summary: "List an execution's task graph: each task's state, target queue and attempt",
  options: {
    'execution-id': { type: 'string', short: 'e', value: 'EXECUTION', description: 'the execution' },
    ...JSON_OPTION,
  },
  required: ['execution-id'],
  async run(ctx, a) {
    const q = new URLSearchParams({ execution_id: a.str('execution-id')!, _get_all_results: 'true' });
    const res = await ctx.client.request<ListResponse<OperationView>>('GET', `/operations?${q}`);
    if (a.flag('json')) {
      printJson(ctx.out, res);
      return 0;
    }
    ctx.out.stdout(
      table(
        ['ID', 'NAME', 'NODE INSTANCE', 'STATE', 'TARGET', 'ATTEMPT', 'ERROR'],
        res.items.map((o) => [
          o.id,
          o.name,
          o.node_instance_id ?? '-',
          o.state,
          o.target ?? '-',
          o.type === 'operation' ? attempt(o) : '-',
          (o.error ?? '').split('\n')[0]!.slice(0, 80),
        ]),
      ),
    );
    return 0;
  },
};

export const operationCommands = [list];
