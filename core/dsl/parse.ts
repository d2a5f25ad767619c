/**
 * The blueprint parser: reads the main file and its imports, validates everything it can at once and
 * returns the plan. Every problem becomes one issue with file, line, column and dotted path.
 */
import type {
  BlueprintPlan,
  InputSpec,
  Json,
  JsonObject,
  PlanNode,
  PlanRelationship,
  WorkflowSpec,
} from '../model.ts';
import { BUILTIN_TYPES_FILE } from './builtin-types.ts';
import { findCycle } from './graph.ts';
import { type LoadedFile, loadFiles } from './imports.ts';
import { checkFunctions, containsFunction, type FunctionEnv } from './intrinsics.ts';
import { flattenOperations, mergeTemplateInterfaces, type ScriptCheck } from './operations.ts';
import { at, Issues } from './source.ts';
import { readTemplate, type Template } from './templates.ts';
import { type Definition, type PropertySchema, readValueSchema, resolveTypes } from './types.ts';
import { describe, isObject } from './values.ts';
import { readWorkflow } from './workflows.ts';

export const DSL_VERSIONS = ['cloudify_dsl_1_3', 'cloudify_dsl_1_4'] as const;

const SECTIONS = [
  'inputs',
  'node_types',
  'relationships',
  'node_templates',
  'outputs',
  'workflows',
  'plugins',
] as const;
type Section = (typeof SECTIONS)[number];
const TOP_KEYS = ['tosca_definitions_version', 'description', 'imports', 'dsl_definitions', ...SECTIONS];
/** Cloudify DSL keys outside the Stratus subset: named as unsupported rather than unknown. */
const UNSUPPORTED_TOP_KEYS = [
  'data_types',
  'groups',
  'policies',
  'policy_types',
  'policy_triggers',
  'capabilities',
  'upload_resources',
  'blueprint_labels',
  'labels',
  'metadata',
  'deployment_settings',
];
const INPUT_KEYS = ['type', 'default', 'description', 'required', 'constraints', 'display_label', 'hidden'];
const PLUGIN_KEYS = [
  'executor',
  'source',
  'install',
  'install_arguments',
  'package_name',
  'package_version',
  'distribution',
  'distribution_version',
  'distribution_release',
  'supported_platform',
];

export function parseBlueprint(files: ReadonlyMap<string, string>, mainFile: string): BlueprintPlan {
  const issues = new Issues();
  const loaded = loadFiles(files, mainFile, issues);
  const main = loaded[0];
  if (!main) {
    issues.throwIfAny();
    throw new Error('unreachable: no main file');
  }

  const version = checkVersions(loaded, issues);
  const sections = collectSections(loaded, issues);
  checkPlugins(sections.plugins, issues);

  const inputs = readInputs(sections.inputs, issues);
  const nodeTypes = resolveTypes(sections.node_types, 'node_types', issues);
  const relTypes = resolveTypes(sections.relationships, 'relationships', issues);
  const builtinImported = loaded.some((f) => f.builtin);

  const templates = new Map<string, Template>();
  const templateNames = new Set(sections.node_templates.keys());
  for (const def of sections.node_templates.values()) {
    const t = readTemplate(def, templateNames, nodeTypes, relTypes, builtinImported, issues);
    if (t) templates.set(def.name, t);
  }

  const mainDir = mainFile.includes('/') ? mainFile.slice(0, mainFile.lastIndexOf('/')) : '';
  const scripts: ScriptCheck = { files: new Set(files.keys()), baseDir: mainDir };

  // references between nodes
  const env = functionEnv(new Set(Object.keys(inputs)), templates);
  const propertyEdges = new Map<string, string[]>();
  env.propertyReference = (fn, fp, tn, tp) => {
    const k = `${fn}.${fp}`;
    const list = propertyEdges.get(k) ?? [];
    list.push(`${tn}.${tp}`);
    propertyEdges.set(k, list);
  };
  const nodes: PlanNode[] = [];
  for (const t of templates.values()) {
    nodes.push(buildNode(t, templates, env, scripts, issues));
  }
  checkGraph(templates, issues);
  const propCycle = findCycle([...propertyEdges.keys()], propertyEdges);
  if (propCycle) {
    const [n, p] = splitFirst(propCycle[0] as string);
    const t = templates.get(n);
    if (t)
      issues.add(
        t.where.file,
        [...t.where.path, 'properties', p],
        `\`get_property\` references form a cycle: ${propCycle.join(' → ')}`,
      );
  }
  assignHosts(nodes, templates);

  const outputs = readOutputs(sections.outputs, env, issues);
  const workflows: Record<string, WorkflowSpec> = {};
  for (const def of sections.workflows.values()) {
    const w = readWorkflow(def, issues);
    if (w) workflows[def.name] = w;
  }

  issues.throwIfAny();
  const plan: BlueprintPlan = { tosca_definitions_version: version, inputs, nodes, outputs, workflows };
  const description = main.doc.description;
  if (typeof description === 'string') plan.description = description;
  return plan;
}

function splitFirst(s: string): [string, string] {
  // node names may contain dots; property keys recorded after the last dot-free split are enough for a location
  const i = s.lastIndexOf('.');
  return [s.slice(0, i), s.slice(i + 1)];
}

function checkVersions(loaded: LoadedFile[], issues: Issues): string {
  const main = loaded[0] as LoadedFile;
  const v = main.doc.tosca_definitions_version;
  const file = main.source.file;
  let version: string = DSL_VERSIONS[1];
  if (v === undefined) {
    if (main.source.ok && (isObject(main.source.value) || main.source.value === null)) {
      issues.add(file, [], `\`tosca_definitions_version\` is missing; supported: ${DSL_VERSIONS.join(', ')}`);
    }
  } else if (typeof v !== 'string' || !(DSL_VERSIONS as readonly string[]).includes(v)) {
    issues.add(
      file,
      ['tosca_definitions_version'],
      `unsupported \`tosca_definitions_version\` ${JSON.stringify(v)}; supported: ${DSL_VERSIONS.join(', ')}`,
    );
  } else version = v;
  for (const f of loaded.slice(1)) {
    if (f.builtin) continue;
    const iv = f.doc.tosca_definitions_version;
    if (iv !== undefined && iv !== v) {
      issues.add(
        f.source.file,
        ['tosca_definitions_version'],
        `imported file has \`tosca_definitions_version\` ${JSON.stringify(iv)}, the main blueprint has ${JSON.stringify(v)}`,
      );
    }
  }
  return version;
}

type Sections = Record<Section, Map<string, Definition>>;

function collectSections(loaded: LoadedFile[], issues: Issues): Sections {
  const sections = Object.fromEntries(SECTIONS.map((s) => [s, new Map<string, Definition>()])) as Sections;
  for (const f of loaded) {
    const file = f.source.file;
    for (const key of Object.keys(f.doc)) {
      if (TOP_KEYS.includes(key)) continue;
      issues.add(
        file,
        [key],
        UNSUPPORTED_TOP_KEYS.includes(key)
          ? `\`${key}\` is not supported by Stratus; supported sections: ${TOP_KEYS.join(', ')}`
          : `unknown top-level key \`${key}\`; allowed: ${TOP_KEYS.join(', ')}`,
      );
    }
    if (
      f.doc.description !== undefined &&
      f.doc.description !== null &&
      typeof f.doc.description !== 'string'
    ) {
      issues.add(file, ['description'], '`description` must be a string');
    }
    for (const section of SECTIONS) {
      const raw = f.doc[section];
      if (raw === undefined || raw === null) continue;
      if (!isObject(raw)) {
        issues.add(file, [section], `\`${section}\` must be a mapping, got ${describe(raw)}`);
        continue;
      }
      const map = sections[section];
      for (const [name, value] of Object.entries(raw)) {
        const prior = map.get(name);
        if (prior) {
          if (f.builtin) {
            // reported where the user wrote it, not in the built-in file
            issues.add(
              prior.where.file,
              prior.where.path,
              `\`${section}.${name}\` is already defined in Cloudify's built-in types.yaml`,
            );
          } else {
            const where =
              prior.where.file === BUILTIN_TYPES_FILE ? "Cloudify's built-in types.yaml" : prior.where.file;
            issues.add(file, [section, name], `\`${section}.${name}\` is already defined in ${where}`);
          }
          continue;
        }
        map.set(name, {
          name,
          raw: value as Record<string, unknown>,
          where: { file, path: [section, name] },
        });
      }
    }
  }
  for (const section of ['node_types', 'relationships', 'node_templates', 'outputs', 'inputs'] as const) {
    for (const def of sections[section].values()) {
      if (section === 'inputs' && (def.raw === null || def.raw === undefined)) continue;
      if (!isObject(def.raw)) {
        issues.add(
          def.where.file,
          def.where.path,
          `\`${section}.${def.name}\` must be a mapping, got ${describe(def.raw)}`,
        );
        sections[section].delete(def.name);
      }
    }
  }
  return sections;
}

function checkPlugins(plugins: Map<string, Definition>, issues: Issues): void {
  for (const def of plugins.values()) {
    if (def.name !== 'script') {
      issues.add(
        def.where.file,
        def.where.path,
        `plugin \`${def.name}\` is not supported: Stratus runs the built-in \`script\` plugin only`,
      );
      continue;
    }
    if (!isObject(def.raw)) {
      issues.add(
        def.where.file,
        def.where.path,
        `plugin \`script\` must be a mapping, got ${describe(def.raw)}`,
      );
      continue;
    }
    for (const k of Object.keys(def.raw)) {
      if (!PLUGIN_KEYS.includes(k))
        issues.add(
          def.where.file,
          [...def.where.path, k],
          `unknown plugin key \`${k}\`; allowed: ${PLUGIN_KEYS.join(', ')}`,
        );
    }
  }
}

function readInputs(defs: Map<string, Definition>, issues: Issues): Record<string, InputSpec> {
  const out: Record<string, InputSpec> = {};
  for (const def of defs.values()) {
    const s = readValueSchema(def.raw, def.where, INPUT_KEYS, 'input', issues);
    if (!s) continue;
    if ('default' in s && containsFunction(s.default)) {
      issues.add(
        def.where.file,
        [...def.where.path, 'default'],
        'an input default cannot use intrinsic functions',
      );
    }
    out[def.name] = toInputSpec(s, def.raw);
  }
  return out;
}

function toInputSpec(s: PropertySchema, raw: unknown): InputSpec {
  const spec: InputSpec = {};
  if (s.type !== undefined) spec.type = s.type;
  if (s.description !== undefined) spec.description = s.description;
  if ('default' in s) spec.default = s.default ?? null;
  if (isObject(raw) && raw.required !== undefined) spec.required = s.required;
  if (s.constraints?.length) spec.constraints = s.constraints;
  return spec;
}

function functionEnv(inputs: Set<string>, templates: Map<string, Template>): FunctionEnv {
  return { inputs, nodeProperties: (node) => templates.get(node)?.properties };
}

function buildNode(
  t: Template,
  templates: Map<string, Template>,
  env: FunctionEnv,
  scripts: ScriptCheck,
  issues: Issues,
): PlanNode {
  for (const [k, v] of Object.entries(t.properties)) {
    checkFunctions(
      v,
      at(t.where, 'properties', k),
      { kind: 'node_properties', node: t.name },
      env,
      issues,
      k,
    );
  }
  for (const ops of t.interfaces.values()) {
    for (const op of ops.values()) {
      checkFunctions(
        op.inputs,
        at(op.where, 'inputs'),
        { kind: 'node_operation', node: t.name },
        env,
        issues,
      );
    }
  }
  // instance counts may be get_input calls: check their arguments like any other function
  for (const [k, v] of Object.entries(t.scalable)) {
    if (typeof v === 'number') continue;
    checkFunctions(
      v,
      at(t.where, 'capabilities', 'scalable', 'properties', k),
      { kind: 'node_properties', node: t.name },
      env,
      issues,
    );
  }
  const relationships: PlanRelationship[] = [];
  for (const r of t.relationships) {
    const target = templates.get(r.target);
    if (!target) continue;
    const scope = { node: t.name, target: r.target };
    for (const [k, v] of Object.entries(r.properties)) {
      checkFunctions(
        v,
        at(r.where, 'properties', k),
        { kind: 'relationship_properties', ...scope },
        env,
        issues,
      );
    }
    const source = mergeTemplateInterfaces(r.sourceInterfaces, r.type.interfaces, issues);
    const targetOps = mergeTemplateInterfaces(r.targetInterfaces, r.type.targetInterfaces, issues);
    for (const ifaces of [source, targetOps]) {
      for (const ops of ifaces.values()) {
        for (const op of ops.values()) {
          checkFunctions(
            op.inputs,
            at(op.where, 'inputs'),
            { kind: 'relationship_operation', ...scope },
            env,
            issues,
          );
        }
      }
    }
    const rel: PlanRelationship = {
      type: r.type.name,
      type_hierarchy: r.type.hierarchy,
      target_id: r.target,
      properties: r.properties as JsonObject,
      source_operations: flattenOperations(source, scripts, issues),
      target_operations: flattenOperations(targetOps, scripts, issues),
    };
    const ct = r.properties.connection_type;
    if (ct === 'all_to_all' || ct === 'all_to_one') rel.connection_type = ct;
    relationships.push(rel);
  }
  return {
    id: t.name,
    type: t.type.name,
    type_hierarchy: t.type.hierarchy,
    properties: t.properties as JsonObject,
    operations: flattenOperations(t.interfaces, scripts, issues),
    relationships,
    capabilities: { scalable: { properties: t.scalable } },
  };
}

const CONTAINED_IN = 'cloudify.relationships.contained_in';
const COMPUTE = 'cloudify.nodes.Compute';

function checkGraph(templates: Map<string, Template>, issues: Issues): void {
  const edges = new Map<string, string[]>();
  for (const t of templates.values()) {
    edges.set(
      t.name,
      t.relationships.filter((r) => templates.has(r.target)).map((r) => r.target),
    );
    const hosts = t.relationships.filter((r) => r.type.hierarchy.includes(CONTAINED_IN));
    if (hosts.length > 1) {
      const second = hosts[1] as Template['relationships'][number];
      issues.add(
        second.where.file,
        second.where.path,
        `node \`${t.name}\` is contained in more than one node (${hosts.map((h) => h.target).join(', ')})`,
      );
    }
  }
  const cycle = findCycle([...templates.keys()], edges);
  if (cycle) {
    const first = templates.get(cycle[0] as string) as Template;
    const rel = first.relationships.find((r) => r.target === cycle[1]);
    const w = rel?.where ?? first.where;
    issues.add(w.file, w.path, `relationships form a cycle: ${cycle.join(' → ')}`);
  }
}

/** host_id: the node itself when it is a Compute, else the host of the node it is contained in. */
function assignHosts(nodes: PlanNode[], templates: Map<string, Template>): void {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const memo = new Map<string, string | null>();
  const hostOf = (id: string): string | null => {
    const chain: string[] = [];
    let cur: string | undefined = id;
    let result: string | null = null;
    const seen = new Set<string>();
    while (cur !== undefined) {
      if (memo.has(cur)) {
        result = memo.get(cur) ?? null;
        break;
      }
      if (seen.has(cur)) break;
      seen.add(cur);
      chain.push(cur);
      const n = byId.get(cur);
      if (!n) break;
      if (n.type_hierarchy.includes(COMPUTE)) {
        result = cur;
        break;
      }
      cur = templates.get(cur)?.relationships.find((r) => r.type.hierarchy.includes(CONTAINED_IN))?.target;
    }
    for (const c of chain) memo.set(c, result);
    return result;
  };
  for (const n of nodes) {
    const h = hostOf(n.id);
    if (h !== null) n.host_id = h;
  }
}

function readOutputs(
  defs: Map<string, Definition>,
  env: FunctionEnv,
  issues: Issues,
): BlueprintPlan['outputs'] {
  const out: BlueprintPlan['outputs'] = {};
  for (const def of defs.values()) {
    const raw = def.raw;
    for (const k of Object.keys(raw)) {
      if (k !== 'value' && k !== 'description')
        issues.add(
          def.where.file,
          [...def.where.path, k],
          `unknown key \`${k}\` in output; allowed: value, description`,
        );
    }
    if (!('value' in raw))
      issues.add(def.where.file, def.where.path, `output \`${def.name}\` has no \`value\``);
    checkFunctions(raw.value, at(def.where, 'value'), { kind: 'output' }, env, issues);
    const o: { description?: string; value: Json } = { value: (raw.value ?? null) as Json };
    if (typeof raw.description === 'string') o.description = raw.description;
    else if (raw.description !== undefined && raw.description !== null) {
      issues.add(def.where.file, [...def.where.path, 'description'], '`description` must be a string');
    }
    out[def.name] = o;
  }
  return out;
}
