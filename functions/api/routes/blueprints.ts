import { Hono } from 'hono';
import * as blueprints from '../../../core/services/blueprints.ts';
import type { ServiceDeps } from '../../../core/services/deps.ts';
import { readBlueprintUpload } from '../blueprint-upload.ts';
import { LIST_QUERY, listOptions, parseInclude, pick, respondList } from '../listing.ts';
import { queryBool, readQuery } from '../validation.ts';
import { BLUEPRINT_FIELDS, blueprintView } from '../views.ts';

export function blueprintRoutes(deps: ServiceDeps): Hono {
  const r = new Hono();

  r.put('/:id', async (c) => {
    const form = await readBlueprintUpload(c);
    const bp = await blueprints.uploadBlueprint(deps, c.req.param('id'), form);
    return c.json(blueprintView(bp, null), 201);
  });

  r.get('/:id', async (c) => {
    const q = readQuery(c, { _include: 'one' });
    const include = parseInclude(q._include?.[0], BLUEPRINT_FIELDS);
    const bp = await blueprints.getBlueprint(deps, c.req.param('id'));
    return c.json(pick(blueprintView(bp, include), include));
  });

  r.get('/', async (c) => {
    const q = readQuery(c, { ...LIST_QUERY, id: 'one' });
    const opts = listOptions(q, BLUEPRINT_FIELDS, 'created_at');
    const id = q.id?.[0];
    const items = (await blueprints.listBlueprints(deps)).filter((b) => id === undefined || b.id === id);
    return respondList(
      c,
      items.map((b) => blueprintView(b, opts.include)),
      opts,
    );
  });

  r.delete('/:id', async (c) => {
    const q = readQuery(c, { force: 'one' });
    // force (Cloudify: delete even if other blueprints import it) has nothing to skip here.
    queryBool(q, 'force', false);
    await blueprints.deleteBlueprint(deps, c.req.param('id'));
    return c.body(null, 204);
  });

  return r;
}
