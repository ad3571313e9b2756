export type * from './syntax/ast.js';
export { AGGREGATE_OPS } from './syntax/ast.js';
export { MAX_EXPR_DEPTH, MAX_SPEC_CHARS, parseSpec } from './syntax/parse-spec.js';
export {
  type Diagnostic,
  type Severity,
  DIAGNOSTIC_CODES,
  formatDiagnostic,
  formatDiagnostics,
  hasErrors,
} from './diagnostics.js';
export { BUILTINS, type CheckedSpec, validateSpec } from './semantics/validate-spec.js';
export {
  type CompiledSpec,
  type ExternFunction,
  type InstantiateOptions,
  SpecRuntimeError,
  defaultParamValues,
  instantiateSpec,
} from './codegen/instantiate-spec.js';
export { SpecEnv, SPEC_ENUMERATION_LIMIT } from './runtime/spec-env.js';
export {
  type CompileResult,
  type SpecEnvClass,
  SpecError,
  compileSpec,
  createSpecEnv,
  loadSpecFile,
} from './runtime/compile-spec.js';
export { SpecExtern, loadSpecModule, specEnvFactory, specEnvModule } from './module.js';
export {
  CHECK_DEFAULTS,
  type CheckOptions,
  type CheckReport,
  type Violation,
  checkFailed,
  checkSpecEnv,
  formatCheckReport,
} from './model-check/check-spec-env.js';
