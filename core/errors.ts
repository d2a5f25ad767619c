/**
 * Typed, serializable errors. Each says what the caller (HTTP layer or engine) should do:
 * the HTTP status and Cloudify `error_code` for the API, and `retry` for the engine.
 */

export type RetryAdvice = { kind: 'fail' } | { kind: 'retry'; afterSeconds?: number };

export interface SerializedError {
  name: string;
  message: string;
  error_code: string;
  status: number;
  retry: RetryAdvice;
  details?: unknown;
}

export class StratusError extends Error {
  readonly errorCode: string;
  readonly status: number;
  readonly retry: RetryAdvice;
  readonly details?: unknown;

  constructor(
    message: string,
    opts: {
      errorCode?: string;
      status?: number;
      retry?: RetryAdvice;
      details?: unknown;
      cause?: unknown;
    } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.errorCode = opts.errorCode ?? 'internal_error';
    this.status = opts.status ?? 500;
    this.retry = opts.retry ?? { kind: 'fail' };
    this.details = opts.details;
  }

  toJSON(): SerializedError {
    return {
      name: this.name,
      message: this.message,
      error_code: this.errorCode,
      status: this.status,
      retry: this.retry,
      ...(this.details === undefined ? {} : { details: this.details }),
    };
  }

  static fromJSON(json: SerializedError): StratusError {
    const err = new StratusError(json.message, {
      errorCode: json.error_code,
      status: json.status,
      retry: json.retry,
      details: json.details,
    });
    err.name = json.name;
    return err;
  }
}

export class NotFoundError extends StratusError {
  constructor(kind: string, id: string) {
    super(`Requested \`${kind}\` with ID \`${id}\` was not found`, {
      errorCode: 'not_found_error',
      status: 404,
    });
  }
}

export class ConflictError extends StratusError {
  constructor(message: string, errorCode = 'conflict_error') {
    super(message, { errorCode, status: 409 });
  }
}

/** The request is wrong; the message names the field and what is allowed. */
export class BadRequestError extends StratusError {
  constructor(message: string, errorCode = 'bad_parameters_error', details?: unknown) {
    super(message, { errorCode, status: 400, details });
  }
}

export class UnauthorizedError extends StratusError {
  constructor(message = 'Authentication failed: send `Authorization: Bearer <token>`') {
    super(message, { errorCode: 'unauthorized_error', status: 401 });
  }
}

export class PayloadTooLargeError extends StratusError {
  constructor(limitBytes: number) {
    super(`Request body is larger than the limit of ${limitBytes} bytes`, {
      errorCode: 'payload_too_large_error',
      status: 413,
    });
  }
}

/** One problem found in a blueprint, located as precisely as the parser can. */
export interface BlueprintIssue {
  file: string;
  line: number | null;
  column: number | null;
  /** dotted path in the document: `node_templates.web.interfaces.cloudify.interfaces.lifecycle.create` */
  path: string;
  message: string;
}

export function formatIssue(i: BlueprintIssue): string {
  const where = i.line === null ? i.file : `${i.file}:${i.line}:${i.column ?? 1}`;
  return `${where}: ${i.path ? `${i.path}: ` : ''}${i.message}`;
}

/** Every problem found in a blueprint, at once. Nothing is stored when this is thrown. */
export class BlueprintValidationError extends StratusError {
  readonly issues: BlueprintIssue[];
  constructor(issues: BlueprintIssue[]) {
    const head = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
    super(`Invalid blueprint (${head}):\n${issues.map(formatIssue).join('\n')}`, {
      errorCode: 'invalid_blueprint_error',
      status: 400,
      details: { issues },
    });
    this.issues = issues;
  }
}

/** Deployment inputs or workflow parameters that do not fit the schema. */
export class InputError extends StratusError {
  constructor(message: string, errorCode = 'deployment_parameters_error') {
    super(message, { errorCode, status: 400 });
  }
}

/** A conditional write lost: someone else changed the item first. Callers decide if that is fine. */
export class ConditionFailedError extends StratusError {
  constructor(what: string) {
    super(`Condition failed: ${what}`, { errorCode: 'conflict_error', status: 409 });
  }
}

/** Transient: the engine should try again (optionally after N seconds). */
export class RetryableError extends StratusError {
  constructor(message: string, afterSeconds?: number, cause?: unknown) {
    super(message, {
      errorCode: 'retryable_error',
      status: 503,
      retry: afterSeconds === undefined ? { kind: 'retry' } : { kind: 'retry', afterSeconds },
      cause,
    });
  }
}

/** Permanent: retrying cannot help. */
export class NonRetryableError extends StratusError {
  constructor(message: string, errorCode = 'non_retryable_error', cause?: unknown) {
    super(message, { errorCode, status: 400, retry: { kind: 'fail' }, cause });
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
