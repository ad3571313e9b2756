import { readFileSync } from 'node:fs';
import { type ParamSpec, UserError } from '@gflownet/core';
import { parseSpec } from '../syntax/parse-spec.js';
import {
  type InstantiateOptions,
  defaultParamValues,
  instantiateSpec,
} from '../codegen/instantiate-spec.js';
import { type Diagnostic, formatDiagnostics, hasErrors } from '../diagnostics.js';
import { SpecEnv } from './spec-env.js';
import { type CheckedSpec, validateSpec } from '../semantics/validate-spec.js';

/** A spec with problems; `message` holds every diagnostic, formatted with source and caret. */
export class SpecError extends UserError {
  constructor(
    readonly diagnostics: Diagnostic[],
    source: string,
    file?: string,
  ) {
    super(formatDiagnostics(diagnostics, source, file));
  }
}

/** An environment class compiled from a spec; `new` it with parameter values. */
export interface SpecEnvClass {
  new (params?: Record<string, number>): SpecEnv;
  readonly specName: string;
  readonly params: readonly ParamSpec[];
  readonly checked: CheckedSpec;
}

export interface CompileResult {
  /** null when the spec has errors. */
  EnvClass: SpecEnvClass | null;
  diagnostics: Diagnostic[];
}

/**
 * Parses and validates a spec and returns an environment class for it. Never throws on a bad
 * spec: problems come back as diagnostics. Instantiating the class (`new EnvClass({ ndim: 4 })`)
 * throws a SpecError if the parameter values are out of range or make the spec invalid.
 */
export function compileSpec(
  source: string,
  options: InstantiateOptions & { file?: string } = {},
): CompileResult {
  const { checked: maybeChecked, diagnostics } = checkSource(source);
  if (!maybeChecked) return { EnvClass: null, diagnostics };
  const checked = maybeChecked;
  const defaults = defaultParamValues(checked);
  if (!defaults.values)
    return { EnvClass: null, diagnostics: [...diagnostics, ...defaults.diagnostics] };
  const lines = source.split(/\r?\n/);
  const params: ParamSpec[] = checked.params.map((p) => {
    // A trailing `# comment` on the parameter's line describes it.
    const comment = /#\s*(.*)$/.exec(lines[p.loc.line - 1] ?? '')?.[1]?.trim();
    return {
      name: p.name,
      type: p.type,
      default: defaults.values!.get(p.name)!,
      ...(p.lo?.kind === 'num' ? { min: p.lo.value } : {}),
      ...(p.hi?.kind === 'num' ? { max: p.hi.value } : {}),
      description: comment || `${p.type} parameter`,
    };
  });
  const EnvClass = class extends SpecEnv {
    static readonly specName = checked.spec.name;
    static readonly params = params;
    static readonly checked = checked;
    constructor(values: Record<string, number> = {}) {
      const result = instantiateSpec(checked, values, options);
      if (!result.compiled || hasErrors(result.diagnostics)) {
        throw new SpecError(result.diagnostics, source, options.file);
      }
      super(result.compiled);
    }
  };
  return { EnvClass, diagnostics };
}

/** Parse and validate: the checked spec, or null with the diagnostics that stopped it. */
function checkSource(source: string): { checked: CheckedSpec | null; diagnostics: Diagnostic[] } {
  const parsed = parseSpec(source);
  if (!parsed.spec) return { checked: null, diagnostics: parsed.diagnostics };
  return validateSpec(parsed.spec);
}

/** Instantiates a spec, returning diagnostics instead of throwing. */
export function createSpecEnv(
  source: string,
  params: Record<string, number> = {},
  options: InstantiateOptions = {},
): { env: SpecEnv | null; diagnostics: Diagnostic[] } {
  const { checked, diagnostics } = checkSource(source);
  if (!checked) return { env: null, diagnostics };
  const result = instantiateSpec(checked, params, options);
  const all = [...diagnostics, ...result.diagnostics];
  if (!result.compiled || hasErrors(all)) return { env: null, diagnostics: all };
  return { env: new SpecEnv(result.compiled), diagnostics: all };
}

/** Reads and compiles a spec file; throws a SpecError (a UserError) listing its diagnostics. */
export function loadSpecFile(path: string, options: InstantiateOptions = {}): SpecEnvClass {
  let source: string;
  try {
    source = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UserError(`cannot read spec '${path}': ${(err as Error).message}`);
  }
  const { EnvClass, diagnostics } = compileSpec(source, { ...options, file: path });
  if (!EnvClass) throw new SpecError(diagnostics, source, path);
  return EnvClass;
}
