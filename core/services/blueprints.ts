/**
 * Blueprint upload and removal. Upload validates everything before writing anything: a blueprint
 * that fails to parse leaves no file and no record behind.
 */
import { extractBlueprintArchive, parseBlueprint } from '../dsl/index.ts';
import { BadRequestError, ConflictError, NotFoundError, StratusError } from '../errors.ts';
import type { Blueprint } from '../model.ts';
import { nowIso, type ServiceDeps } from './deps.ts';
import { checkResourceId } from './ids.ts';

/** A zip, tar(.gz) or single YAML document; `applicationFileName` picks the main file of an archive. */
export interface UploadForm {
  bytes: Uint8Array;
  applicationFileName?: string;
}

export function blueprintPrefix(id: string): string {
  return `blueprints/${id}/`;
}

export async function uploadBlueprint(deps: ServiceDeps, id: string, form: UploadForm): Promise<Blueprint> {
  checkResourceId('blueprint', id);
  if (form.bytes.length === 0)
    throw new BadRequestError('The blueprint body is empty', 'invalid_blueprint_error');
  // early answer for the common case; the conditional claim below decides races
  if (await deps.store.getBlueprint(id)) throw blueprintExists(id);

  const { files, mainFile } = await extractBlueprintArchive(
    form.bytes,
    form.applicationFileName === undefined ? {} : { applicationFileName: form.applicationFileName },
  );

  const texts = new Map<string, string>();
  for (const [path, bytes] of files) texts.set(path, decodeFile(path, bytes));
  const plan = await parseBlueprint(texts, mainFile);

  const now = nowIso(deps);
  const blueprint: Blueprint = {
    id,
    main_file_name: mainFile,
    description: plan.description ?? null,
    created_at: now,
    updated_at: now,
    state: 'uploading',
    tenant_name: 'default_tenant',
    visibility: 'tenant',
    plan,
  };
  // the id is claimed before any file is written: of two uploads racing for it, the loser writes nothing
  try {
    await deps.store.createBlueprint(blueprint);
  } catch (err) {
    if (err instanceof StratusError && err.status === 409) throw blueprintExists(id);
    throw err;
  }
  try {
    for (const [path, bytes] of files) await deps.blobs.put(`${blueprintPrefix(id)}${path}`, bytes);
    await deps.store.setBlueprintState(id, 'uploaded');
  } catch (err) {
    await deps.blobs.deletePrefix(blueprintPrefix(id)).catch(() => {});
    await deps.store.deleteBlueprint(id).catch(() => {});
    throw err;
  }
  blueprint.state = 'uploaded';
  return blueprint;
}

/** YAML files must be valid UTF-8 (named when not); other files are passed along best effort. */
function decodeFile(path: string, bytes: Uint8Array): string {
  if (!/\.ya?ml$/i.test(path)) return new TextDecoder().decode(bytes);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new BadRequestError(
      `Blueprint file \`${path}\` is not valid UTF-8 text`,
      'invalid_blueprint_error',
    );
  }
}

function blueprintExists(id: string): ConflictError {
  return new ConflictError(`Blueprint with ID \`${id}\` already exists`);
}

export async function getBlueprint(deps: ServiceDeps, id: string): Promise<Blueprint> {
  const bp = await deps.store.getBlueprint(id);
  if (!bp) throw new NotFoundError('Blueprint', id);
  return bp;
}

export async function listBlueprints(deps: ServiceDeps): Promise<Blueprint[]> {
  return deps.store.listBlueprints();
}

/** Refuses while deployments use the blueprint (Cloudify's `dependent_exists_error`). */
export async function deleteBlueprint(deps: ServiceDeps, id: string): Promise<void> {
  await getBlueprint(deps, id);
  const deployments = await deps.store.listDeployments({ blueprint_id: id });
  if (deployments.length > 0) {
    throw new BadRequestError(
      `Can't delete blueprint \`${id}\`: there exist deployments for this blueprint; deployment ids: ` +
        deployments.map((d) => d.id).join(', '),
      'dependent_exists_error',
    );
  }
  await deps.store.deleteBlueprint(id);
  await deps.blobs.deletePrefix(blueprintPrefix(id));
}
