import type { Binder } from '../syntax/ast.js';
import type { FieldLayout, GenContext } from './expr-gen.js';
import {
  type ConstValue,
  ConstError,
  ConstantEvaluator,
  catchConst,
} from '../semantics/constants.js';
import { type Diagnostic, diagnostic, hasErrors, sortDiagnostics } from '../diagnostics.js';
import { checkIndices } from '../semantics/intervals.js';
import { editDistance } from '../semantics/type-checker.js';
import type { CheckedSpec } from '../semantics/validate-spec.js';

import {
  type CompiledFunctions,
  type ExternFunction,
  SpecRuntimeError,
  generate,
} from './generate-functions.js';

export { type CompiledFunctions, type ExternFunction, SpecRuntimeError };

export interface InstantiateOptions {
  externs?: Record<string, ExternFunction>;
}

/** Largest state vector a spec may declare. */
export const MAX_STATE_WIDTH = 100_000;
/** Largest number of forward (or backward) actions. */
export const MAX_ACTIONS = 1_000_000;

/** Everything the env class needs: sizes, layout, tables and the generated functions. */
export interface CompiledSpec {
  name: string;
  params: Map<string, number>;
  fields: FieldLayout[];
  stateDim: number;
  featureDim: number;
  /** Forward actions, the exit last: name and parameter values of each. */
  actions: { family: string; args: number[] }[];
  /** Parent rules, numbered like the actions: backward action i undoes forward action i. */
  backwardActions: { family: string; args: number[] }[];
  initialState: Int32Array;
  hasMode: boolean;
  /** The spec writes R itself (not log R) without an extern: rewardValue gives it. */
  plainReward: boolean;
  /** `mode when C by KEY`: states with one key are one mode; without `by`, each state is its own. */
  modeByKey: boolean;
  /** The stop action exists and has no guard, so the exit is allowed in every state. */
  everyStateTerminates: boolean;
  fns: CompiledFunctions;
}

/**
 * Instantiates a checked spec with parameter values: resolves parameters (defaults, overrides,
 * ranges), constant tables, the state layout and the action space, checks that no index can leave
 * its array, and generates the env's functions. Returns diagnostics instead of throwing.
 */
export function instantiateSpec(
  checked: CheckedSpec,
  overrides: Record<string, number> = {},
  options: InstantiateOptions = {},
): { compiled: CompiledSpec | null; diagnostics: Diagnostic[] } {
  const diags: Diagnostic[] = [];
  const params = resolveParams(checked, overrides, diags);
  if (!params) return { compiled: null, diagnostics: sortDiagnostics(diags) };
  const consts = new ConstantEvaluator(checked, params);
  const g: GenContext = {
    checked,
    params,
    fields: new Map(),
    consts: new Map(),
    binderRanges: new Map(),
  };
  const tables: (Float64Array | number[])[] = [];
  for (const [name, c] of checked.consts) {
    catchConst(diags, () => {
      const v = consts.value(name, c.loc);
      if (typeof v === 'number') g.consts.set(name, { slot: -1, dims: [], scalar: v });
      else {
        const flat = flatten(v);
        let lo = Infinity;
        let hi = -Infinity;
        for (const x of flat) {
          if (x < lo) lo = x;
          if (x > hi) hi = x;
        }
        g.consts.set(name, {
          slot: tables.length,
          dims: c.dims.map((d) => consts.int(d, 'size')),
          range: [lo, hi],
          table: Float64Array.from(flat),
        });
        tables.push(g.consts.get(name)!.table!);
      }
    });
  }
  const fields = layoutFields(checked, consts, diags);
  for (const f of fields) g.fields.set(f.name, f);
  const actionSpace = (decls: { name: string; binders: Binder[] }[]) => {
    const list: { family: string; familyIndex: number; args: number[] }[] = [];
    decls.forEach((d, familyIndex) => {
      const ranges = d.binders.map((b) => {
        const r = catchConst(diags, (): [number, number] => [
          consts.int(b.lo, `range of '${b.name}'`),
          consts.int(b.hi, `range of '${b.name}'`),
        ]) ?? [0, -1];
        g.binderRanges.set(b, r);
        return r;
      });
      const total = ranges.reduce((p, [lo, hi]) => p * Math.max(0, hi - lo + 1), 1);
      if (list.length + total > MAX_ACTIONS) {
        diags.push(
          diagnostic(
            'E410',
            `'${d.name}' has ${total} actions; at most ${MAX_ACTIONS} in all`,
            d.binders[0]?.loc ?? checked.spec.loc,
          ),
        );
        return;
      }
      const rec = (k: number, args: number[]): void => {
        if (k === ranges.length) {
          list.push({ family: d.name, familyIndex, args });
          return;
        }
        for (let v = ranges[k]![0]; v <= ranges[k]![1]; v++) rec(k + 1, [...args, v]);
      };
      rec(0, []);
    });
    return list;
  };
  const forward = actionSpace(checked.actions);
  const parentDecls = checked.actions.map((a) => checked.parents.get(a.name)!);
  const backward = actionSpace(parentDecls);
  checked.actions.forEach((a, i) => {
    const p = parentDecls[i]!;
    a.binders.forEach((b, k) => {
      const ra = g.binderRanges.get(b)!;
      const rp = g.binderRanges.get(p.binders[k]!);
      if (rp && (ra[0] !== rp[0] || ra[1] !== rp[1])) {
        diags.push(
          diagnostic(
            'E309',
            `parameter '${p.binders[k]!.name}' ranges over ${rp[0]}..${rp[1]}; action '${a.name}' has ${ra[0]}..${ra[1]}`,
            p.binders[k]!.loc,
          ),
        );
      }
    });
  });
  const initialState = buildInitialState(checked, fields, consts, diags);
  const externs = [...checked.externs.keys()].map((name) => {
    const fn = options.externs?.[name];
    if (!fn) {
      diags.push(
        diagnostic(
          'E408',
          `extern '${name}' has no implementation; load a plugin that provides it`,
          checked.externs.get(name)!.loc,
        ),
      );
    }
    return fn;
  });
  if (!hasErrors(diags)) checkIndices(g, diags);
  if (hasErrors(diags)) return { compiled: null, diagnostics: sortDiagnostics(diags) };

  const stateDim = fields.reduce((s, f) => s + f.size + (f.kind === 'seq' ? 1 : 0), 0);
  const featureDim = fields.reduce((s, f) => s + featureWidth(f), 0);
  const fns = generate(
    g,
    forward,
    backward,
    stateDim,
    featureDim,
    tables,
    externs as ExternFunction[],
  );
  return {
    compiled: {
      name: checked.spec.name,
      params,
      fields,
      stateDim,
      featureDim,
      actions: [
        ...forward.map(({ family, args }) => ({ family, args })),
        { family: checked.stop?.name ?? 'exit', args: [] },
      ],
      backwardActions: backward.map(({ family, args }) => ({ family, args })),
      initialState,
      hasMode: checked.mode !== null,
      modeByKey: checked.mode?.key != null,
      plainReward: !checked.reward.log && checked.externs.size === 0,
      everyStateTerminates: checked.stop ? !checked.stop.guard : false,
      fns,
    },
    diagnostics: sortDiagnostics(diags),
  };
}

/** The parameters' default values (defaults may be expressions over other parameters). */
export function defaultParamValues(checked: CheckedSpec): {
  values: Map<string, number> | null;
  diagnostics: Diagnostic[];
} {
  const diagnostics: Diagnostic[] = [];
  return { values: resolveParams(checked, {}, diagnostics), diagnostics };
}

function resolveParams(
  checked: CheckedSpec,
  overrides: Record<string, number>,
  diags: Diagnostic[],
): Map<string, number> | null {
  const values = new Map<string, number>();
  for (const name of Object.keys(overrides)) {
    if (!checked.params.some((p) => p.name === name)) {
      const names = checked.params.map((p) => p.name);
      const near = names.find(
        (p) => editDistance(p, name) <= Math.max(1, Math.floor(name.length / 3)),
      );
      const hint = near ? `; did you mean '${near}'?` : '';
      diags.push(
        diagnostic(
          'E402',
          `unknown parameter '${name}' (parameters: ${names.join(', ') || 'none'})${hint}`,
          checked.spec.loc,
        ),
      );
    }
  }
  // Defaults may refer to other parameters: resolve in dependency order, one pass per level.
  const pending = [...checked.params];
  for (let round = 0; pending.length > 0 && round <= checked.params.length; round++) {
    for (let i = 0; i < pending.length; i++) {
      const p = pending[i]!;
      const ev = new ConstantEvaluator(checked, values);
      let v: number;
      try {
        v = overrides[p.name] ?? ev.number(p.default, `default of '${p.name}'`);
      } catch (err) {
        if (err instanceof ConstError && err.code === 'E409') continue;
        if (err instanceof ConstError) diags.push(diagnostic(err.code, err.message, err.loc));
        else throw err;
        pending.splice(i--, 1);
        continue;
      }
      pending.splice(i--, 1);
      const lo = p.lo
        ? catchConst(diags, () => ev.number(p.lo!, `range of '${p.name}'`))
        : undefined;
      const hi = p.hi
        ? catchConst(diags, () => ev.number(p.hi!, `range of '${p.name}'`))
        : undefined;
      const range = `${lo ?? ''}..${hi ?? ''}`;
      if (p.type === 'int' && !Number.isInteger(v)) {
        diags.push(diagnostic('E403', `parameter '${p.name}' must be an integer, got ${v}`, p.loc));
      } else if (
        (lo !== undefined && v < lo) ||
        (hi !== undefined && v > hi) ||
        !Number.isFinite(v)
      ) {
        diags.push(
          diagnostic('E401', `parameter '${p.name}' = ${v} is outside its range ${range}`, p.loc),
        );
      }
      values.set(p.name, v);
    }
  }
  for (const p of pending) {
    diags.push(diagnostic('E312', `the default of '${p.name}' depends on itself`, p.loc));
  }
  return hasErrors(diags) ? null : values;
}

function layoutFields(
  checked: CheckedSpec,
  consts: ConstantEvaluator,
  diags: Diagnostic[],
): FieldLayout[] {
  const out: FieldLayout[] = [];
  let offset = 0;
  let featureOffset = 0;
  for (const f of checked.fields) {
    const t = f.type;
    const layout = catchConst(diags, (): FieldLayout => {
      const dimExprs = t.kind === 'seq' ? [t.size] : t.dims;
      const dims = dimExprs.map((d) => {
        const n = consts.int(d, `size of '${f.name}'`);
        if (n < 1 || n > MAX_STATE_WIDTH) {
          throw new ConstError(
            'E404',
            `size of '${f.name}' is ${n}; it must be in 1..${MAX_STATE_WIDTH}`,
            d.loc,
          );
        }
        return n;
      });
      const size = dims.reduce((p, n) => p * n, 1);
      if (size > MAX_STATE_WIDTH) {
        throw new ConstError(
          'E410',
          `'${f.name}' has ${size} elements; at most ${MAX_STATE_WIDTH}`,
          f.loc,
        );
      }
      const lo = t.kind === 'bool' ? 0 : consts.int(t.lo, `range of '${f.name}'`);
      const hi = t.kind === 'bool' ? 1 : consts.int(t.hi, `range of '${f.name}'`);
      if (hi < lo)
        throw new ConstError('E404', `range of '${f.name}' is empty (${lo}..${hi})`, f.loc);
      if (Math.abs(lo) > 2 ** 30 || Math.abs(hi) > 2 ** 30) {
        throw new ConstError(
          'E404',
          `range of '${f.name}' must stay within +-2^30 (int32 states)`,
          f.loc,
        );
      }
      return {
        name: f.name,
        kind: t.kind,
        offset,
        size,
        dims,
        isArray: dims.length > 0,
        lo,
        hi,
        pad: lo - 1,
        featureOffset,
        oneHot: t.kind !== 'bool' && hi - lo + 1 <= 128,
      };
    });
    if (!layout) continue;
    offset += layout.size + (layout.kind === 'seq' ? 1 : 0);
    featureOffset += featureWidth(layout);
    if (offset > MAX_STATE_WIDTH) {
      diags.push(diagnostic('E410', `the state is wider than ${MAX_STATE_WIDTH} ints`, f.loc));
      break;
    }
    out.push(layout);
  }
  return out;
}

function featureWidth(f: FieldLayout): number {
  if (f.kind === 'bool') return f.size;
  return f.size * (f.oneHot ? f.hi - f.lo + 1 : 1);
}

function buildInitialState(
  checked: CheckedSpec,
  fields: FieldLayout[],
  consts: ConstantEvaluator,
  diags: Diagnostic[],
): Int32Array {
  const width = fields.reduce((s, f) => s + f.size + (f.kind === 'seq' ? 1 : 0), 0);
  const s0 = new Int32Array(width);
  for (const f of fields) {
    const e = checked.init.get(f.name);
    const start = f.offset + (f.kind === 'seq' ? 1 : 0);
    if (f.kind === 'seq') s0.fill(f.pad, start, start + f.size);
    else s0.fill(f.lo, start, start + f.size);
    if (!e) continue;
    catchConst(diags, () => {
      const v = consts.eval(e, new Map());
      const items = Array.isArray(v) ? flatten(v) : null;
      if (f.kind === 'seq') {
        const list = items ?? [];
        if (!items)
          throw new ConstError(
            'E313',
            `initialise sequence '${f.name}' with a list, e.g. []`,
            e.loc,
          );
        if (list.length > f.size)
          throw new ConstError(
            'E407',
            `'${f.name}' holds at most ${f.size} items; init gives ${list.length}`,
            e.loc,
          );
        s0[f.offset] = list.length;
        list.forEach((x, j) => (s0[start + j] = x));
      } else if (items) {
        if (items.length !== f.size)
          throw new ConstError(
            'E313',
            `'${f.name}' has ${f.size} items; init gives ${items.length}`,
            e.loc,
          );
        items.forEach((x, j) => (s0[start + j] = x));
      } else {
        s0.fill(v as number, start, start + f.size);
      }
      for (let j = start; j < start + (f.kind === 'seq' ? s0[f.offset]! : f.size); j++) {
        const x = s0[j]!;
        if (x < f.lo || x > f.hi)
          throw new ConstError(
            'E407',
            `initial value ${x} of '${f.name}' is outside ${f.lo}..${f.hi}`,
            e.loc,
          );
      }
    });
  }
  return s0;
}

function flatten(v: ConstValue): number[] {
  return Array.isArray(v) ? v.flatMap(flatten) : [v];
}
