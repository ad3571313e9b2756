import { UserError } from '@gflownet/core';
import type { Binder, Effect, Expr } from '../syntax/ast.js';
import { type FieldLayout, type GenContext, ExprGen } from './expr-gen.js';
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

/** Host functions for `extern` declarations; results may be Promises. */
export type ExternFunction = (...args: (number | number[])[]) => number | Promise<number>;

export interface InstantiateOptions {
  externs?: Record<string, ExternFunction>;
}

/** Largest state vector a spec may declare. */
export const MAX_STATE_WIDTH = 100_000;
/** Largest number of forward (or backward) actions. */
export const MAX_ACTIONS = 1_000_000;

/** The generated functions of one instantiated spec. */
export interface CompiledFunctions {
  forwardMask(S: Int32Array, n: number, M: Uint8Array): void;
  backwardMask(S: Int32Array, n: number, M: Uint8Array): void;
  step(S: Int32Array, acts: Int32Array, n: number, O: Int32Array): void;
  backwardStep(S: Int32Array, acts: Int32Array, n: number, O: Int32Array): void;
  logReward(S: Int32Array, n: number): Float64Array | Promise<Float64Array>;
  featurize(S: Int32Array, n: number, F: Float32Array): void;
  isTerminal(S: Int32Array, b: number): boolean;
  modeKey(S: Int32Array, b: number): number;
  /** The reward itself (before its log) of the state at offset b; NaN when the spec gives log R. */
  rewardValue(S: Int32Array, b: number): number;
}

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
 * An extern as the generated reward calls it: a throw (or a rejected promise) in the plugin's
 * function becomes a UserError that names the extern, not a stack trace from generated code.
 */
function guardExtern(name: string, fn: ExternFunction): ExternFunction {
  return async (...args) => {
    try {
      return await fn(...args);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new UserError(`extern '${name}' failed on arguments ${JSON.stringify(args)}: ${why}`);
    }
  };
}

/**
 * An extern as a guard or `mode` calls it: at once, so it must return a number, not a promise.
 * A throw becomes a UserError naming the extern.
 */
function syncExtern(name: string, fn: ExternFunction): (...args: (number | number[])[]) => number {
  return (...args) => {
    let v: number | Promise<number>;
    try {
      v = fn(...args);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new UserError(`extern '${name}' failed on arguments ${JSON.stringify(args)}: ${why}`);
    }
    if (typeof v !== 'number') {
      throw new UserError(
        `extern '${name}' returned ${v instanceof Promise ? 'a promise' : typeof v} in a guard or 'mode', which run synchronously; return a number there`,
      );
    }
    return v;
  };
}

/**
 * Thrown by generated code when an action or parent rule cannot be applied (a push onto a full
 * sequence): `detail` says what, `state` is the state and `row` its row in the batch. The env
 * rethrows it with its message naming the env, the action and the state (a user error: the
 * spec's, which `gfn check` reports before training).
 */
export class SpecRuntimeError extends UserError {
  constructor(
    readonly detail: string,
    readonly state: Int32Array,
    readonly row = 0,
    message: string = detail,
  ) {
    super(message);
  }
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

type ActionList = { family: string; familyIndex: number; args: number[] }[];

function generate(
  g: GenContext,
  forward: ActionList,
  backward: ActionList,
  D: number,
  FD: number,
  tables: (Float64Array | number[])[],
  externs: ExternFunction[],
): CompiledFunctions {
  const { checked } = g;
  const externNames = [...checked.externs.keys()];
  const gen = new ExprGen(g);
  const A = forward.length + 1;
  const src: string[] = [];

  const condition = (e: Expr | null, out: string[], locals = new Map<string, string>()): string =>
    e ? gen.expr(e, out, locals) : 'false';

  // Masks: one loop per action family over its parameters, in the order the actions are numbered.
  const maskBody = (decls: { binders: Binder[]; guard: Expr | null }[], out: string[]) => {
    for (const d of decls) {
      const locals = new Map<string, string>();
      const open: string[] = [];
      for (const b of d.binders) {
        const v = gen.fresh('p');
        const [lo, hi] = g.binderRanges.get(b)!;
        open.push(`for (let ${v} = ${lo}; ${v} <= ${hi}; ${v}++) {`);
        locals.set(b.name, v);
      }
      const inner: string[] = [];
      const guard = d.guard ? gen.expr(d.guard, inner, locals) : 'true';
      out.push(...open, ...inner, `M[a++] = ${guard} ? 1 : 0;`, '}'.repeat(open.length));
    }
  };

  const term: string[] = [];
  const termExpr = condition(checked.terminal, term);
  src.push(`function isTerminal(S, b) { ${term.join('\n')} return ${termExpr}; }`);

  const fwd: string[] = [];
  maskBody(checked.actions, fwd);
  const stop: string[] = [];
  const stopExpr = checked.stop
    ? checked.stop.guard
      ? gen.expr(checked.stop.guard, stop, new Map())
      : 'true'
    : 'false';
  src.push(`function forwardMask(S, n, M) {
    for (let i = 0; i < n; i++) {
      const b = i * ${D}; const m = i * ${A};
      if (isTerminal(S, b)) { M.fill(0, m, m + ${A - 1}); M[m + ${A - 1}] = 1; continue; }
      let a = m;
      ${fwd.join('\n')}
      ${stop.join('\n')}
      M[m + ${A - 1}] = ${stopExpr} ? 1 : 0;
    }
  }`);

  const bwd: string[] = [];
  const parentDecls = checked.actions.map((a) => checked.parents.get(a.name)!);
  maskBody(parentDecls, bwd);
  src.push(`function backwardMask(S, n, M) {
    for (let i = 0; i < n; i++) {
      const b = i * ${D}; let a = i * ${backward.length};
      ${bwd.join('\n')}
    }
  }`);

  const stepFn = (
    name: string,
    decls: { name: string; binders: Binder[]; effects: Effect[] | null }[],
    list: ActionList,
    owner: (n: string) => string,
  ) => {
    const K = Math.max(1, ...decls.map((d) => d.binders.length));
    const cases = decls.map((d, f) => {
      const out: string[] = [];
      const locals = new Map<string, string>();
      d.binders.forEach((bd, k) => {
        const v = gen.fresh('p');
        out.push(`const ${v} = PV_${name}[a * ${K} + ${k}];`);
        locals.set(bd.name, v);
      });
      gen.effects(d.effects ?? [], out, locals, owner(d.name));
      return `case ${f}: { ${out.join('\n')} break; }`;
    });
    const fam = Int32Array.from(list.map((x) => x.familyIndex));
    const pv = new Int32Array(Math.max(1, list.length * K));
    list.forEach((x, i) => x.args.forEach((v, k) => (pv[i * K + k] = v)));
    return {
      tables: { [`FAM_${name}`]: fam, [`PV_${name}`]: pv },
      source: `function ${name}(S, acts, n, O) {
        for (let i = 0; i < n; i++) {
          const b = i * ${D};
          if (O !== S) for (let j = 0; j < ${D}; j++) O[b + j] = S[b + j];
          const a = acts[i];
          switch (FAM_${name}[a]) { ${cases.join('\n')} default: throw ERR('action ' + a + ' is not a valid action', S, b); }
        }
      }`,
    };
  };
  const stepGen = stepFn('step', checked.actions, forward, (n) => `action ${n}`);
  const backGen = stepFn('backwardStep', parentDecls, backward, (n) => `parent ${n}`);
  src.push(stepGen.source, backGen.source);

  const rew: string[] = [];
  gen.awaitExterns = true;
  const rewardExpr = gen.expr(checked.reward.body, rew, new Map());
  gen.awaitExterns = false;
  const value = checked.reward.log ? rewardExpr : `Math.log(${rewardExpr})`;
  if (gen.usesExtern) {
    src.push(`async function rewardOne(S, b) { ${rew.join('\n')} return ${value}; }
    function logReward(S, n) {
      const ps = [];
      for (let i = 0; i < n; i++) ps.push(rewardOne(S, i * ${D}));
      return Promise.all(ps).then((v) => Float64Array.from(v));
    }`);
  } else {
    src.push(`function logReward(S, n) {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) { const b = i * ${D}; ${rew.join('\n')} out[i] = ${value}; }
      return out;
    }`);
  }
  // For messages about a reward that is not positive: its value, not the NaN of its log.
  const plain = !gen.usesExtern && !checked.reward.log;
  src.push(
    plain
      ? `function rewardValue(S, b) { ${rew.join('\n')} return ${rewardExpr}; }`
      : 'function rewardValue(S, b) { return NaN; }',
  );

  const feat: string[] = [];
  for (const f of g.fields.values()) {
    const start = f.offset + (f.kind === 'seq' ? 1 : 0);
    const count = f.kind === 'seq' ? `S[b + ${f.offset}]` : String(f.size);
    const w = f.oneHot ? f.hi - f.lo + 1 : 1;
    let write: string;
    if (f.kind === 'bool') write = `F[f + ${f.featureOffset} + j] = v;`;
    else if (f.oneHot)
      write = `if (v >= ${f.lo} && v <= ${f.hi}) F[f + ${f.featureOffset} + j * ${w} + v - ${f.lo}] = 1;`;
    else write = `F[f + ${f.featureOffset} + j] = (v - ${f.lo} + 1) / ${f.hi - f.lo + 1};`;
    feat.push(`for (let j = 0; j < ${count}; j++) { const v = S[b + ${start} + j]; ${write} }`);
  }
  src.push(`function featurize(S, n, F) {
    F.fill(0, 0, n * ${FD});
    for (let i = 0; i < n; i++) { const b = i * ${D}; const f = i * ${FD}; ${feat.join('\n')} }
  }`);

  const mode: string[] = [];
  let modeExpr = 'NaN';
  if (checked.mode) {
    const cond = gen.expr(checked.mode.cond, mode, new Map());
    const key = checked.mode.key ? gen.expr(checked.mode.key, mode, new Map()) : '0';
    modeExpr = `(${cond} ? ${key} : NaN)`;
  }
  src.push(`function modeKey(S, b) { ${mode.join('\n')} return ${modeExpr}; }`);

  const tableArgs = { ...stepGen.tables, ...backGen.tables };
  const names = Object.keys(tableArgs);
  const body = `"use strict";\n${src.join('\n')}\nreturn { forwardMask, backwardMask, step, backwardStep, logReward, featurize, isTerminal, modeKey, rewardValue };`;
  const err = (message: string, S: Int32Array, b: number) =>
    new SpecRuntimeError(message, S.slice(b, b + D), b / D);
  // The source above is built only from generated identifiers and numbers (see ExprGen).
  const factory = new Function('K', 'X', 'XS', 'ERR', 'REACH', ...names, body) as (
    ...args: unknown[]
  ) => CompiledFunctions;
  return factory(
    tables,
    externs.map((fn, i) => guardExtern(externNames[i]!, fn)),
    externs.map((fn, i) => syncExtern(externNames[i]!, fn)),
    err,
    reach,
    ...names.map((n) => tableArgs[n]),
  );
}

/**
 * `reach(e, from, to)`: whether a path of one or more edges leads from node `from` to node `to`,
 * where edge u -> v is present when S[base + u * n + v] is not 0 (depth-first search).
 */
function reach(S: Int32Array, base: number, n: number, from: number, to: number): boolean {
  const seen = new Uint8Array(n);
  const stack = [from];
  while (stack.length > 0) {
    const u = stack.pop()!;
    const row = base + u * n;
    for (let v = 0; v < n; v++) {
      if (S[row + v] === 0 || seen[v]) continue;
      if (v === to) return true;
      seen[v] = 1;
      stack.push(v);
    }
  }
  return false;
}

function flatten(v: ConstValue): number[] {
  return Array.isArray(v) ? v.flatMap(flatten) : [v];
}
