/** Every failure becomes `{message, error_code}` with the right status; unexpected ones say little. */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { BlueprintValidationError, StratusError } from '../../core/errors.ts';

export function errorResponse(err: Error, c: Context): Response {
  if (err instanceof StratusError) {
    const body: Record<string, unknown> = { message: err.message, error_code: err.errorCode };
    if (err instanceof BlueprintValidationError) body.issues = err.issues;
    return c.json(body, err.status as ContentfulStatusCode);
  }
  if (err instanceof HTTPException && err.status < 500) {
    return c.json({ message: err.message || 'Bad request', error_code: 'bad_parameters_error' }, err.status);
  }
  // The detail goes to the log only: it may hold internals a caller should not see.
  console.error(
    JSON.stringify({
      level: 'error',
      msg: 'unexpected error in API',
      method: c.req.method,
      path: c.req.path,
      error: err.name,
      detail: err.message,
      stack: err.stack,
    }),
  );
  return c.json({ message: 'Internal server error', error_code: 'internal_server_error' }, 500);
}

export function notFoundResponse(c: Context): Response {
  return c.json(
    { message: `No route for ${c.req.method} ${c.req.path}`, error_code: 'not_found_error' },
    404,
  );
}
