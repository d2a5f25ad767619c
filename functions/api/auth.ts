/**
 * Authentication and tenancy, applied to every route.
 *
 * - `token` mode (local stack): `Authorization: Bearer <token>` or Cloudify's
 *   `Authentication-Token: <token>`, compared in constant time.
 * - `iam` mode (AWS): API Gateway's IAM authorizer has already verified the SigV4 signature before
 *   the Lambda runs, and the Lambda has no other trigger, so the handler checks nothing itself.
 *   Do not use `iam` mode behind anything that does not authorize every request.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { NotFoundError, UnauthorizedError } from '../../core/errors.ts';

export type AuthConfig = { mode: 'token'; token: string } | { mode: 'iam' };

export const DEFAULT_TENANT = 'default_tenant';

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** Equal-length digests make the comparison independent of where the strings differ. */
function sameToken(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

function presentedToken(header: (name: string) => string | undefined): string | null {
  const bearer = /^Bearer\s+(.+)$/i.exec(header('authorization')?.trim() ?? '')?.[1];
  if (bearer) return bearer;
  // Cloudify's client may send Basic credentials and the token together: the token is what counts
  const cloudify = header('authentication-token');
  return cloudify ? cloudify.trim() : null;
}

export function authenticate(auth: AuthConfig): MiddlewareHandler {
  if (auth.mode === 'token' && auth.token.length === 0)
    throw new Error('auth.token must not be empty in token mode');
  return async (c, next) => {
    if (auth.mode === 'token') {
      const given = presentedToken((n) => c.req.header(n));
      if (given === null) {
        throw new UnauthorizedError(
          'Authentication required: send `Authorization: Bearer <token>` or `Authentication-Token: <token>`',
        );
      }
      if (!sameToken(given, auth.token))
        throw new UnauthorizedError('Authentication failed: the token is not valid');
    }
    // One tenant: Cloudify clients always send it; any other name does not exist here.
    const tenant = c.req.header('tenant');
    if (tenant !== undefined && tenant !== DEFAULT_TENANT) throw new NotFoundError('Tenant', tenant);
    await next();
  };
}
