/**
 * The HTTP API (Cloudify REST v3.1 subset) as one Hono app: the same app runs in Lambda
 * (`lambda.ts`) and in the local stack (@hono/node-server). Routes are thin: rules live in
 * core/services.
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { PayloadTooLargeError } from '../../core/errors.ts';
import type { ServiceDeps } from '../../core/services/deps.ts';
import { type AuthConfig, authenticate } from './auth.ts';
import { errorResponse, notFoundResponse } from './http-errors.ts';
import { blueprintRoutes } from './routes/blueprints.ts';
import { deploymentRoutes } from './routes/deployments.ts';
import { eventRoutes } from './routes/events.ts';
import { executionRoutes } from './routes/executions.ts';
import { nodeRoutes } from './routes/nodes.ts';
import { readQuery } from './validation.ts';

export const API_BASE = '/api/v3.1';
export const STRATUS_VERSION = '0.1.0';

export interface ApiDeps extends ServiceDeps {
  auth: AuthConfig;
  /** body size limits in bytes (defaults: 50 MiB for blueprint uploads, 1 MiB otherwise) */
  limits?: { blueprintBytes?: number; jsonBytes?: number };
}

const MiB = 1024 * 1024;

export function createApp(deps: ApiDeps): Hono {
  const blueprintBytes = deps.limits?.blueprintBytes ?? 50 * MiB;
  const jsonBytes = deps.limits?.jsonBytes ?? MiB;
  const services: ServiceDeps = {
    store: deps.store,
    blobs: deps.blobs,
    orchestrator: deps.orchestrator,
    ...(deps.clock ? { clock: deps.clock } : {}),
    ...(deps.ids ? { ids: deps.ids } : {}),
  };

  const app = new Hono().basePath(API_BASE);
  app.onError(errorResponse);
  app.notFound(notFoundResponse);

  // Authentication first: an unauthenticated caller gets 401 before any body is read.
  app.use('*', authenticate(deps.auth));
  app.use('*', async (c, next) => {
    const upload = c.req.method === 'PUT' && /\/blueprints\/[^/]+\/?$/.test(c.req.path);
    const maxSize = upload ? blueprintBytes : jsonBytes;
    return bodyLimit({
      maxSize,
      onError: () => {
        throw new PayloadTooLargeError(maxSize);
      },
    })(c, next);
  });

  app.get('/status', (c) => {
    readQuery(c, { summary: 'one' });
    return c.json({ status: 'OK', services: {} });
  });
  app.get('/version', (c) =>
    c.json({
      edition: 'community',
      version: STRATUS_VERSION,
      distribution: 'stratus',
      api_version: 'v3.1',
      build: null,
      date: null,
      commit: null,
      distro_release: null,
    }),
  );
  app.route('/blueprints', blueprintRoutes(services));
  app.route('/deployments', deploymentRoutes(services));
  app.route('/executions', executionRoutes(services));
  app.route('/', nodeRoutes(services));
  app.route('/', eventRoutes(services));
  return app;
}
