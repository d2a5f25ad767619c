/** Property tests: whatever document arrives, the parser returns a plan or a BlueprintValidationError. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseBlueprint } from '../../../core/dsl/parse.ts';
import { BlueprintValidationError } from '../../../core/errors.ts';
import { exampleFiles } from './support.ts';

function parsesOrRefuses(files: Map<string, string>): boolean {
  try {
    parseBlueprint(files, 'blueprint.yaml');
    return true;
  } catch (err) {
    if (!(err instanceof BlueprintValidationError)) throw err;
    expect(err.issues.length).toBeGreaterThan(0);
    for (const i of err.issues) {
      expect(typeof i.message).toBe('string');
      expect(i.line === null || i.line >= 1).toBe(true);
    }
    return false;
  }
}

const KEYS = [
  'tosca_definitions_version',
  'imports',
  'inputs',
  'node_types',
  'node_templates',
  'relationships',
  'outputs',
  'workflows',
  'plugins',
  'type',
  'properties',
  'interfaces',
  'derived_from',
  'default',
  'constraints',
  'target',
  'implementation',
  'inputs',
  'get_input',
  'get_property',
  'get_attribute',
  'concat',
  'capabilities',
  'scalable',
  'default_instances',
  'cloudify.nodes.Root',
  'cloudify.nodes.Compute',
  'cloudify.relationships.contained_in',
  'cloudify.interfaces.lifecycle',
  'SELF',
  'vm',
  'create',
  '__proto__',
  'constructor',
  'toString',
];

const scalar = fc.oneof(
  fc.constantFrom(...KEYS, 'cloudify_dsl_1_4', 'cloudify/types/types.yaml', 'scripts/create.sh', '../x'),
  fc.string({ maxLength: 8 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
);
const key = fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 6 }));
const { tree } = fc.letrec((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('tree'), { maxLength: 4 }),
    fc.dictionary(key, tie('tree'), { maxKeys: 5 }),
  ),
}));

describe('the parser never crashes', () => {
  it('on random text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        parsesOrRefuses(new Map([['blueprint.yaml', text]]));
      }),
      { numRuns: 300 },
    );
  });

  it('on random YAML documents built from blueprint vocabulary', () => {
    fc.assert(
      fc.property(fc.dictionary(key, tree, { maxKeys: 8 }), (doc) => {
        const withHeader = {
          tosca_definitions_version: 'cloudify_dsl_1_4',
          imports: ['cloudify/types/types.yaml'],
          ...doc,
        };
        parsesOrRefuses(new Map([['blueprint.yaml', stringify(withHeader)]]));
      }),
      { numRuns: 300 },
    );
  });

  it('on the hello-world with one random subtree replaced', () => {
    const files = exampleFiles('hello-world');
    const base = files.get('blueprint.yaml') as string;
    const lines = base.split('\n');
    fc.assert(
      fc.property(fc.nat(lines.length - 1), tree, (at, value) => {
        const line = lines[at] as string;
        const m = /^(\s*)([^:#-][^:]*):/.exec(line);
        if (!m) return;
        const replaced = [...lines];
        replaced[at] = `${m[1]}${m[2]}: ${JSON.stringify(value)}`;
        parsesOrRefuses(new Map([...files, ['blueprint.yaml', replaced.join('\n')]]));
      }),
      { numRuns: 300 },
    );
  });
});
