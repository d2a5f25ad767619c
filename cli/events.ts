/** `stratus events list` */
import type { StratusEvent } from '../core/model.ts';
import type { ListResponse } from './client.ts';
import { type CommandSpec, JSON_OPTION } from './command.ts';
import { eventLine, printJson } from './output.ts';

const PAGE = 1000;

const list: CommandSpec = {
  group: 'events',
  name: 'list',
  args: [],
  summary: "List an execution's events in time order (add --include-logs for the operations' logs)",
  options: {
    'execution-id': { type: 'string', short: 'e', value: 'EXECUTION', description: 'the execution' },
    'include-logs': { type: 'boolean', short: 'l', description: 'include the logs of operations' },
    ...JSON_OPTION,
  },
  required: ['execution-id'],
  async run(ctx, a) {
    const items: StratusEvent[] = [];
    for (let offset = 0; ; offset += PAGE) {
      const q = new URLSearchParams({
        execution_id: a.str('execution-id')!,
        include_logs: String(a.flag('include-logs')),
        _offset: String(offset),
        _size: String(PAGE),
      });
      const page = await ctx.client.request<ListResponse<StratusEvent>>('GET', `/events?${q}`);
      items.push(...page.items);
      if (page.items.length < PAGE) break;
    }
    if (a.flag('json')) printJson(ctx.out, items);
    else ctx.out.stdout(items.map((e) => `${eventLine(ctx.out, e)}\n`).join(''));
    return 0;
  },
};

export const eventCommands = [list];
