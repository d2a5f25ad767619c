/** Turns a failure into what the user reads: `error: <message> (<code>)` and what to do next. */
import { ApiError } from './client.ts';
import { UsageError } from './command.ts';

export interface ErrorReport {
  lines: string[];
  exitCode: number;
}

/** The error code of a failed connection (`ECONNREFUSED`, `ENOTFOUND`, ...), if that is what it is. */
function connectionCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; e && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

export function describeError(err: unknown, ctx: { apiUrl: string; tokenSet: boolean }): ErrorReport {
  if (err instanceof UsageError) return { lines: [`error: ${err.message}`], exitCode: 2 };
  if (err instanceof ApiError) {
    const lines = [`error: ${err.message} (${err.errorCode})`];
    if (err.status === 401 || err.status === 403) {
      lines.push(
        ctx.tokenSet
          ? 'hint: the API refused STRATUS_TOKEN; set it to the token the stack printed at start (`npm start`)'
          : 'hint: STRATUS_TOKEN is not set; export STRATUS_TOKEN=<the token `npm start` printed>',
      );
    } else if (err.status === 404 && err.message.startsWith('No route')) {
      lines.push(`hint: is ${ctx.apiUrl} the API base URL? It ends with /api/v3.1`);
    }
    return { lines, exitCode: 1 };
  }
  const code = connectionCode(err);
  if (err instanceof TypeError && (code || err.message === 'fetch failed')) {
    const reason = code ?? ((err.cause as Error | undefined)?.message || err.message);
    return {
      lines: [
        `error: cannot reach the Stratus API at ${ctx.apiUrl} (${reason})`,
        'hint: is `npm start` running? Point --api or STRATUS_API at the URL it printed',
      ],
      exitCode: 1,
    };
  }
  if (err instanceof SyntaxError) {
    return {
      lines: [
        `error: the API at ${ctx.apiUrl} did not answer JSON (${err.message}); is that the Stratus API?`,
      ],
      exitCode: 1,
    };
  }
  return { lines: [`error: ${(err as Error)?.message ?? String(err)}`], exitCode: 1 };
}
