export type * from './ast.js';
export { AGGREGATE_OPS } from './ast.js';
export { MAX_EXPR_DEPTH, MAX_SPEC_CHARS, parseSpec } from './build.js';
export {
  type Diagnostic,
  type Severity,
  DIAGNOSTIC_CODES,
  formatDiagnostic,
  formatDiagnostics,
  hasErrors,
} from './diagnostics.js';
export { BUILTINS, type CheckedSpec, validateSpec } from './validate.js';
export {
  type CompiledSpec,
  type ExternFunction,
  type InstantiateOptions,
  SpecRuntimeError,
  defaultParamValues,
  instantiateSpec,
} from './compile.js';
export { SpecEnv, SPEC_ENUMERATION_LIMIT } from './spec-env.js';
export {
  type CompileResult,
  type SpecEnvClass,
  SpecError,
  compileSpec,
  createSpecEnv,
  loadSpecFile,
} from './spec.js';
export { SpecExtern, loadSpecModule, specEnvFactory, specEnvModule } from './module.js';
export {
  CHECK_DEFAULTS,
  type CheckOptions,
  type CheckReport,
  type Violation,
  checkFailed,
  checkSpecEnv,
  formatCheckReport,
} from './check.js';
