/**
 * The operation context a script sees through `ctx`: a mutable copy of the runtime-property snapshots
 * from the task message, plus what the script asked for (returns, abort, retry) and its log lines.
 * Commands follow Cloudify's ctx proxy: words walk the context (`-` read as `_`), a dict at the end
 * takes one argument (read a key path) or two (write it).
 */
import { isDeepStrictEqual } from 'node:util';
import type { EntityContext, LogEntry, RuntimePatch, TaskMessage } from '../core/messages.ts';

export type LogLevel = LogEntry['level'];

/** An error the ctx command reports to the script (printed on stderr, exit code 1). */
export class CtxCommandError extends Error {
  override name = 'CtxCommandError';
}

export type ScriptRequest =
  | { kind: 'abort'; message: string }
  | { kind: 'retry'; message: string; retryAfter?: number };

interface InstanceState {
  entity: EntityContext;
  original: Record<string, unknown>;
  current: Record<string, unknown>;
}

type PathSegment = string | number;

const LOG_LEVELS: Record<string, LogLevel> = {
  debug: 'debug',
  info: 'info',
  warning: 'warning',
  warn: 'warning',
  error: 'error',
  critical: 'error',
  exception: 'error',
};

const RESOURCE_COMMANDS = new Set([
  'download_resource',
  'download_resource_and_render',
  'get_resource',
  'get_resource_and_render',
]);

export class OperationContext {
  readonly #msg: TaskMessage;
  readonly #instances = new Map<string, InstanceState>();
  readonly #log: (level: LogLevel, message: string) => void;
  #returns: { value: unknown } | undefined;
  #request: ScriptRequest | undefined;

  constructor(msg: TaskMessage, log: (level: LogLevel, message: string) => void) {
    this.#msg = msg;
    this.#log = log;
    // self first: when self is also the relationship's source or target, they share one copy
    for (const entity of [msg.self, msg.relationship?.source, msg.relationship?.target]) {
      if (entity && !this.#instances.has(entity.node_instance_id)) {
        this.#instances.set(entity.node_instance_id, {
          entity,
          original: structuredClone(entity.runtime_properties),
          current: structuredClone(entity.runtime_properties),
        });
      }
    }
  }

  get returns(): { value: unknown } | undefined {
    return this.#returns;
  }

  /** abort_operation or retry_operation, the last one the script called */
  get request(): ScriptRequest | undefined {
    return this.#request;
  }

  /** Top-level runtime-property changes per node instance id; instances without changes are left out. */
  patches(): Record<string, RuntimePatch> {
    const out: Record<string, RuntimePatch> = {};
    for (const [id, state] of this.#instances) {
      const patch: RuntimePatch = { set: {}, unset: [] };
      for (const [key, value] of Object.entries(state.current)) {
        if (!(key in state.original) || !isDeepStrictEqual(state.original[key], value))
          patch.set[key] = value;
      }
      for (const key of Object.keys(state.original)) {
        if (!(key in state.current)) patch.unset.push(key);
      }
      if (Object.keys(patch.set).length > 0 || patch.unset.length > 0) out[id] = patch;
    }
    return out;
  }

  /** Runs one ctx command; the result is sent back to the `ctx` CLI (null prints nothing). */
  handle(args: unknown[]): unknown {
    const head = word(args[0]);
    const rest = args.slice(1);
    switch (head) {
      case 'instance':
        return this.#instance(this.#msg.self, rest, 'instance');
      case 'node':
        return this.#node(this.#msg.self, rest, 'node');
      case 'source':
      case 'target':
        return this.#side(head, rest);
      case 'deployment':
        return idOf(rest, 'deployment', this.#msg.deployment_id);
      case 'blueprint':
        return idOf(rest, 'blueprint', this.#msg.blueprint_id);
      case 'execution_id':
        return this.#msg.execution_id;
      case 'workflow_id':
        return this.#msg.workflow_id;
      case 'task_id':
        return this.#msg.task_id;
      case 'task_name':
        return this.#msg.operation;
      case 'type':
        return this.#msg.relationship ? 'relationship-instance' : 'node-instance';
      case 'operation':
        return this.#operation(rest);
      case 'logger':
        return this.#logger(rest);
      case 'returns':
        this.#returns = { value: parseValue(rest[0] ?? null) };
        return null;
      case 'abort_operation':
        this.#request = { kind: 'abort', message: text(rest[0] ?? 'operation aborted by the script') };
        return null;
      case 'retry_operation':
        return this.#retry(rest);
      default:
        if (RESOURCE_COMMANDS.has(head)) {
          throw new CtxCommandError(
            `ctx ${head}: not available in this version of Stratus (blueprint resources are not shipped to executors yet)`,
          );
        }
        throw new CtxCommandError(
          `unknown ctx command \`${args.map(text).join(' ')}\`: supported are instance, node, source, target, ` +
            'deployment id, blueprint id, execution-id, workflow-id, operation name, logger, returns, ' +
            'abort_operation, retry_operation',
        );
    }
  }

  #side(side: 'source' | 'target', rest: unknown[]): unknown {
    const rel = this.#msg.relationship;
    if (!rel) {
      throw new CtxCommandError(`ctx ${side} is only available in relationship operations`);
    }
    const entity = rel[side];
    const what = word(rest[0]);
    if (what === 'instance') return this.#instance(entity, rest.slice(1), `${side} instance`);
    if (what === 'node') return this.#node(entity, rest.slice(1), `${side} node`);
    throw new CtxCommandError(
      `ctx ${side}: expected \`instance\` or \`node\`, got \`${text(rest[0] ?? '')}\``,
    );
  }

  #instance(entity: EntityContext, rest: unknown[], where: string): unknown {
    const what = word(rest[0]);
    switch (what) {
      case 'id':
        return entity.node_instance_id;
      case 'runtime_properties': {
        const state = this.#instances.get(entity.node_instance_id);
        if (!state) throw new CtxCommandError(`no runtime properties for ${entity.node_instance_id}`);
        return dictAccess(state.current, rest.slice(1), `${where} runtime-properties`, true);
      }
      case 'update':
      case 'refresh':
        // changes are sent with the result; nothing to push or pull mid-operation
        return null;
      default:
        throw new CtxCommandError(
          `ctx ${where}: unknown attribute \`${text(rest[0] ?? '')}\` (allowed: id, runtime-properties, update)`,
        );
    }
  }

  #node(entity: EntityContext, rest: unknown[], where: string): unknown {
    const what = word(rest[0]);
    switch (what) {
      case 'id':
      case 'name':
        return entity.node_id;
      case 'properties':
        return dictAccess(entity.node_properties, rest.slice(1), `${where} properties`, false);
      default:
        throw new CtxCommandError(
          `ctx ${where}: unknown attribute \`${text(rest[0] ?? '')}\` (allowed: id, name, properties)`,
        );
    }
  }

  #operation(rest: unknown[]): unknown {
    const what = word(rest[0]);
    if (what === 'name') return this.#msg.operation;
    if (what === 'retry_number') return this.#msg.attempt;
    throw new CtxCommandError(
      `ctx operation: unknown attribute \`${text(rest[0] ?? '')}\` (allowed: name, retry-number)`,
    );
  }

  #logger(rest: unknown[]): null {
    const level = LOG_LEVELS[word(rest[0])];
    if (!level) {
      throw new CtxCommandError(
        `ctx logger: unknown level \`${text(rest[0] ?? '')}\` (allowed: debug, info, warning, error)`,
      );
    }
    this.#log(level, rest.slice(1).map(text).join(' '));
    return null;
  }

  #retry(rest: unknown[]): null {
    const message = text(rest[0] ?? 'the script asked for a retry');
    const raw = rest[1];
    if (raw === undefined || raw === null || raw === '') {
      this.#request = { kind: 'retry', message };
      return null;
    }
    const after = typeof raw === 'number' ? raw : Number(text(raw));
    if (!Number.isFinite(after) || after < 0) {
      throw new CtxCommandError(
        `ctx retry_operation: RETRY_AFTER must be a number of seconds >= 0, got \`${text(raw)}\``,
      );
    }
    this.#request = { kind: 'retry', message, retryAfter: after };
    return null;
  }
}

/** A command word: Cloudify reads `-` in attribute names as `_`. */
function word(arg: unknown): string {
  return typeof arg === 'string' ? arg.replaceAll('-', '_') : '';
}

function text(arg: unknown): string {
  return typeof arg === 'string' ? arg : JSON.stringify(arg);
}

/**
 * A value from the command line, as Cloudify's ctx takes it: a plain argument is a string (`1.10`
 * stays `1.10`, a 20-digit id keeps its digits); the ctx client has already turned arguments written
 * with the JSON prefix (`@5`, `@true`, `@{"a":1}`) into JSON values. JSON numbers that a double cannot
 * hold exactly are refused here, by name, rather than stored wrong.
 */
export function parseValue(arg: unknown): unknown {
  if (typeof arg === 'number' && Number.isInteger(arg) && !Number.isSafeInteger(arg)) {
    throw new CtxCommandError(
      `ctx: the number ${arg} is too large to store exactly; pass it as a string (without the @ prefix)`,
    );
  }
  return arg;
}

function idOf(rest: unknown[], what: string, id: string): string {
  if (word(rest[0]) !== 'id') {
    throw new CtxCommandError(`ctx ${what}: unknown attribute \`${text(rest[0] ?? '')}\` (allowed: id)`);
  }
  return id;
}

function dictAccess(
  dict: Record<string, unknown>,
  rest: unknown[],
  where: string,
  writable: boolean,
): unknown {
  if (rest.length === 0) return dict;
  if (rest.length > 2) {
    throw new CtxCommandError(`ctx ${where}: expected KEY [VALUE], got ${rest.length} arguments`);
  }
  const path = keyPath(dict, rest[0]);
  if (rest.length === 1) return getPath(dict, path);
  if (!writable) throw new CtxCommandError(`ctx ${where} are read-only`);
  setPath(dict, path, parseValue(rest[1]), where);
  return null;
}

/** `a.b[2].c` → ['a', 'b', 2, 'c']; a key that exists verbatim at the top level wins over the path. */
export function keyPath(dict: Record<string, unknown>, key: unknown): PathSegment[] {
  if (typeof key !== 'string' || key === '') {
    throw new CtxCommandError(`ctx: KEY must be a non-empty string, got \`${text(key)}\``);
  }
  if (Object.hasOwn(dict, key)) return [key];
  const path: PathSegment[] = [];
  for (const part of key.split('.')) {
    const match = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (!match) throw new CtxCommandError(`ctx: cannot read key path \`${key}\``);
    if (match[1]) path.push(match[1]);
    for (const index of (match[2] ?? '').matchAll(/\[(\d+)\]/g)) path.push(Number(index[1]));
  }
  if (path.length === 0) throw new CtxCommandError(`ctx: cannot read key path \`${key}\``);
  return path;
}

function getPath(root: unknown, path: PathSegment[]): unknown {
  let node = root;
  for (const seg of path) {
    if (node === null || typeof node !== 'object') return null;
    const next = (node as Record<string | number, unknown>)[seg];
    if (next === undefined || !Object.hasOwn(node, seg)) return null;
    node = next;
  }
  return node;
}

function setPath(root: Record<string, unknown>, path: PathSegment[], value: unknown, where: string): void {
  if (path.includes('__proto__')) throw new CtxCommandError(`ctx ${where}: \`__proto__\` is not a valid key`);
  let node: Record<string | number, unknown> = root;
  for (const [i, seg] of path.entries()) {
    if (i === path.length - 1) {
      node[seg] = value;
      return;
    }
    let next = Object.hasOwn(node, seg) ? node[seg] : undefined;
    if (next === undefined || next === null) {
      next = typeof path[i + 1] === 'number' ? [] : {};
      node[seg] = next;
    } else if (typeof next !== 'object') {
      const at = path.slice(0, i + 1).join('.');
      throw new CtxCommandError(
        `ctx ${where}: \`${at}\` is a ${typeof next}, not a dict: cannot set a key in it`,
      );
    }
    node = next as Record<string | number, unknown>;
  }
}
