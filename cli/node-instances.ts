/** `stratus node-instances list` */
import type { NodeInstance } from '../core/model.ts';
import type { ListResponse } from './client.ts';
import { type CommandSpec, JSON_OPTION } from './command.ts';
import { oneLine, printJson, table } from './output.ts';

const list: CommandSpec = {
  group: 'node-instances',
  name: 'list',
  args: [],
  summary: "List a deployment's node instances with their state and runtime properties",
  options: {
    'deployment-id': { type: 'string', short: 'd', value: 'DEPLOYMENT', description: 'the deployment' },
    ...JSON_OPTION,
  },
  required: ['deployment-id'],
  async run(ctx, a) {
    const q = new URLSearchParams({ deployment_id: a.str('deployment-id')!, _get_all_results: 'true' });
    const res = await ctx.client.request<ListResponse<NodeInstance>>('GET', `/node-instances?${q}`);
    if (a.flag('json')) printJson(ctx.out, res);
    else
      ctx.out.stdout(
        table(
          ['ID', 'NODE', 'STATE', 'RUNTIME PROPERTIES'],
          res.items.map((ni) => [ni.id, ni.node_id, ni.state, oneLine(ni.runtime_properties)]),
        ),
      );
    return 0;
  },
};

export const nodeInstanceCommands = [list];
