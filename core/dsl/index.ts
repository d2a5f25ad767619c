export {
  type BlueprintArchive,
  DEFAULT_APPLICATION_FILE,
  decodeArchiveFiles,
  extractBlueprintArchive,
  MAX_ARCHIVE_ENTRIES,
  MAX_UNPACKED_BYTES,
} from './archive.ts';
export { BUILTIN_TYPES, isBuiltinTypesImport } from './builtin-types.ts';
export {
  type AttributeContext,
  type AttributeEntity,
  type AttributeInstance,
  type AttributeNode,
  evaluateOutputs,
  FunctionEvaluationError,
  getPath,
  resolveAttributes,
  resolveStatic,
  type StaticContext,
} from './functions.ts';
export { asFunction, containsFunction, FUNCTIONS } from './intrinsics.ts';
export { DSL_VERSIONS, parseBlueprint } from './parse.ts';
export { constraintViolation, hasType, VALUE_TYPES, valueProblems } from './values.ts';
export {
  BUILTIN_WORKFLOWS,
  type BuiltinWorkflow,
  builtinOfMapping,
  WORKFLOW_MAPPING_PREFIX,
} from './workflows.ts';
