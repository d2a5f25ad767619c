/** Helpers for blueprint tests: in-memory archives and the hello-world example. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { parseBlueprint } from '../../../core/dsl/parse.ts';
import { type BlueprintIssue, BlueprintValidationError } from '../../../core/errors.ts';
import type { BlueprintPlan } from '../../../core/model.ts';

export const HEADER =
  'tosca_definitions_version: cloudify_dsl_1_4\nimports:\n  - cloudify/types/types.yaml\n';

const EXAMPLES = join(import.meta.dirname, '../../../examples');

/** Every file of an example folder, archive-relative. */
export function exampleFiles(name: string): Map<string, string> {
  const root = join(EXAMPLES, name);
  const out = new Map<string, string>();
  const walk = (dir: string, prefix: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name), `${prefix}${e.name}/`);
      else out.set(`${prefix}${e.name}`, readFileSync(join(dir, e.name), 'utf8'));
    }
  };
  walk(root, '');
  return out;
}

export function parse(main: string, extra: Record<string, string> = {}): BlueprintPlan {
  return parseBlueprint(new Map([['blueprint.yaml', main], ...Object.entries(extra)]), 'blueprint.yaml');
}

export function issuesOf(main: string, extra: Record<string, string> = {}): BlueprintIssue[] {
  try {
    parse(main, extra);
  } catch (err) {
    expect(err).toBeInstanceOf(BlueprintValidationError);
    return (err as BlueprintValidationError).issues;
  }
  throw new Error('expected the blueprint to be refused');
}

/** A seeded generator so instance ids are reproducible. */
export function seeded(seed = 1): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
