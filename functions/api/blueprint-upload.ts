/**
 * The three ways a blueprint arrives on `PUT /blueprints/{id}`:
 * 1. multipart/form-data with a `params` JSON field and a `blueprint_archive` file (Cloudify's client);
 * 2. the raw zip / tar.gz archive, with `?application_file_name=`;
 * 3. one YAML document (application/yaml, text/yaml, text/plain, or octet-stream sniffed as text).
 */
import type { Context } from 'hono';
import { z } from 'zod';
import { BadRequestError, StratusError } from '../../core/errors.ts';
import type { UploadForm } from '../../core/services/blueprints.ts';
import { flag, ignored, parseWith, readQuery } from './validation.ts';

/** Fields of `params` (and of the query string, where older clients put them). */
const UPLOAD_PARAMS = z
  .object({
    application_file_name: z.string().min(1).optional(),
    visibility: ignored(),
    async_upload: flag(false),
    skip_execution: ignored(),
    labels: ignored(),
    created_at: ignored(),
    created_by: ignored(),
    state: ignored(),
    blueprint_archive_url: z
      .unknown()
      .optional()
      .refine((v) => v === undefined || v === null, {
        message: 'is not supported: upload the archive itself',
      }),
  })
  .strict();

const RAW_TYPES = new Set([
  'application/zip',
  'application/x-zip-compressed',
  'application/gzip',
  'application/x-gzip',
  'application/x-tar',
  'application/x-gtar',
  'application/octet-stream',
  'application/yaml',
  'application/x-yaml',
  'text/yaml',
  'text/x-yaml',
  'text/plain',
  // what `curl --data-binary @file` sends unless told otherwise; the bytes are sniffed anyway
  'application/x-www-form-urlencoded',
]);

const FORM_FIELDS = ['params', 'blueprint_archive'];

/** application_file_name travels URL-encoded from Cloudify's client. */
function fileName(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

function toForm(bytes: Uint8Array, applicationFileName: string | undefined): UploadForm {
  // zip, tar.gz and YAML are told apart by their bytes, whatever the content type says
  return applicationFileName === undefined ? { bytes } : { bytes, applicationFileName };
}

export async function readBlueprintUpload(c: Context): Promise<UploadForm> {
  const query = readQuery(
    c,
    Object.fromEntries(Object.keys(UPLOAD_PARAMS.shape).map((k) => [k, 'one' as const])),
  );
  const queryParams = parseWith(
    UPLOAD_PARAMS,
    Object.fromEntries(Object.entries(query).map(([k, v]) => [k, v[0]])),
    'query',
  );
  const contentType = (c.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';

  if (contentType === 'multipart/form-data') {
    let form: FormData;
    try {
      form = await c.req.formData();
    } catch (err) {
      if (err instanceof StratusError) throw err;
      throw new BadRequestError(`The multipart body could not be read: ${(err as Error).message}`);
    }
    const unknown = [...new Set(form.keys())].filter((k) => !FORM_FIELDS.includes(k));
    if (unknown.length > 0) {
      throw new BadRequestError(
        `Unknown form field(s) ${unknown.join(', ')}; allowed: ${FORM_FIELDS.join(', ')}`,
      );
    }
    const paramsRaw = form.get('params');
    let params: unknown = {};
    if (typeof paramsRaw === 'string' && paramsRaw.trim() !== '') {
      try {
        params = JSON.parse(paramsRaw);
      } catch {
        throw new BadRequestError('Form field `params` must be JSON');
      }
    }
    const parsed = parseWith(UPLOAD_PARAMS, params, 'params');
    const archive = form.get('blueprint_archive');
    if (archive === null || typeof archive === 'string') {
      throw new BadRequestError('Missing form field `blueprint_archive` (the blueprint archive file)');
    }
    const bytes = new Uint8Array(await archive.arrayBuffer());
    return toForm(bytes, fileName(parsed.application_file_name ?? queryParams.application_file_name));
  }

  if (contentType !== '' && !RAW_TYPES.has(contentType)) {
    throw new StratusError(
      `Unsupported content type \`${contentType}\` for a blueprint upload; send multipart/form-data, ` +
        'a zip or tar.gz archive, or a YAML document',
      { errorCode: 'unsupported_content_type_error', status: 415 },
    );
  }
  const bytes = new Uint8Array(await c.req.arrayBuffer());
  return toForm(bytes, fileName(queryParams.application_file_name));
}
