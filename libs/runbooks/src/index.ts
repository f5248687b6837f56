export * from './manifest';
export * from './limits';
export { parseDuration, formatDuration } from './duration';
export { parseManifest, parseEgressRule, formatProblem, findFieldLine, MANIFEST_FIELDS, TRIGGER_FIELDS, TRIGGER_STATUSES, type ParseManifestResult } from './parse-manifest';
export {
  buildCatalog,
  MANIFEST_FILE,
  ENTRY_FILE,
  type Catalog,
  type CatalogEntry,
  type CatalogProblem,
  type CompileResult,
  type CompileRunbookFn,
  type BuildCatalogOptions,
} from './catalog';
