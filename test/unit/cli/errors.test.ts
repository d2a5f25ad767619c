import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../cli/client.ts';
import { UsageError } from '../../../cli/command.ts';
import { describeError } from '../../../cli/errors.ts';

const API = 'http://127.0.0.1:8787/api/v3.1';

describe('describeError', () => {
  it('prints the API message and error code', () => {
    const r = describeError(
      new ApiError(404, 'not_found_error', 'Requested `Deployment` with ID `x` was not found'),
      {
        apiUrl: API,
        tokenSet: true,
      },
    );
    expect(r).toEqual({
      lines: ['error: Requested `Deployment` with ID `x` was not found (not_found_error)'],
      exitCode: 1,
    });
  });

  it('on 401 says to set STRATUS_TOKEN when it is missing, and to check it when it is refused', () => {
    const err = new ApiError(401, 'unauthorized_error', 'Authentication required');
    expect(describeError(err, { apiUrl: API, tokenSet: false }).lines[1]).toMatch(
      /STRATUS_TOKEN is not set; export/,
    );
    expect(describeError(err, { apiUrl: API, tokenSet: true }).lines[1]).toMatch(/refused STRATUS_TOKEN/);
  });

  it('on a refused connection names the URL tried and asks whether npm start runs', () => {
    const err = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }),
    });
    const r = describeError(err, { apiUrl: API, tokenSet: true });
    expect(r.lines).toEqual([
      `error: cannot reach the Stratus API at ${API} (ECONNREFUSED)`,
      'hint: is `npm start` running? Point --api or STRATUS_API at the URL it printed',
    ]);
    expect(r.exitCode).toBe(1);
  });

  it('on an unknown route suspects the base URL', () => {
    const err = new ApiError(404, 'not_found_error', 'No route for GET /blueprints');
    expect(describeError(err, { apiUrl: 'http://h:1', tokenSet: true }).lines[1]).toMatch(
      /ends with \/api\/v3.1/,
    );
  });

  it('gives usage errors exit code 2', () => {
    expect(describeError(new UsageError('missing ID'), { apiUrl: API, tokenSet: true })).toEqual({
      lines: ['error: missing ID'],
      exitCode: 2,
    });
  });
});
