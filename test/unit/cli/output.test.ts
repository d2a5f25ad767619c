import { describe, expect, it } from 'vitest';
import type { Output } from '../../../cli/command.ts';
import { eventLine, table } from '../../../cli/output.ts';
import type { StratusEvent } from '../../../core/model.ts';

const plain: Output = { stdout: () => {}, stderr: () => {}, isTTY: false, color: false };
const tty: Output = { ...plain, isTTY: true, color: true };

function event(over: Partial<StratusEvent>): StratusEvent {
  return {
    id: 'e1',
    execution_id: 'x',
    type: 'cloudify_event',
    event_type: 'task_started',
    level: null,
    message: 'Task started',
    timestamp: '2024-05-01T12:00:00.123Z',
    reported_timestamp: '2024-05-01T12:00:00.123Z',
    deployment_id: 'd',
    workflow_id: 'install',
    node_instance_id: 'web_abc123',
    node_name: 'web',
    operation: 'cloudify.interfaces.lifecycle.create',
    error_causes: null,
    ...over,
  };
}

describe('eventLine', () => {
  it('shows time, node instance and operation, event type and message, without colour when not a terminal', () => {
    const line = eventLine(plain, event({}));
    expect(line).toMatch(/^2024-05-01 12:00:00\.123 {2}web_abc123\.create +task_started +Task started$/);
    expect(line).not.toContain('\x1b[');
  });

  it('labels logs by level and colours errors red on a terminal', () => {
    const log = event({ type: 'cloudify_log', event_type: null, level: 'error', message: 'boom' });
    expect(eventLine(plain, log)).toMatch(/log:error +boom$/);
    expect(eventLine(tty, log)).toContain('\x1b[31mlog:error');
  });

  it('shows a dash for events of the workflow itself and indents continuation lines', () => {
    const line = eventLine(
      plain,
      event({
        event_type: 'workflow_failed',
        node_instance_id: null,
        operation: null,
        message: 'failed:\ndisk full',
      }),
    );
    expect(line).toMatch(/^\S+ \S+ {2}- +workflow_failed +failed:\n {4}disk full$/);
  });

  it('adds error causes the message does not already hold', () => {
    const line = eventLine(
      plain,
      event({
        event_type: 'task_failed',
        message: 'Task failed',
        error_causes: [{ type: 'ScriptError', message: 'exit 3' }],
      }),
    );
    expect(line).toContain('\n    ScriptError: exit 3');
  });
});

describe('table', () => {
  it('aligns columns to the widest cell', () => {
    expect(
      table(
        ['ID', 'STATE'],
        [
          ['a', 'started'],
          ['longer_id', 'x'],
        ],
      ),
    ).toBe('ID         STATE\na          started\nlonger_id  x\n');
  });
});
