import { UserError } from '@gflownet/core';
import type { Binder, Effect, Expr } from '../syntax/ast.js';
import { type GenContext, ExprGen } from './expr-gen.js';

/** Host functions for `extern` declarations; results may be Promises. */
export type ExternFunction = (...args: (number | number[])[]) => number | Promise<number>;

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

/** Actions in the order they are numbered: family, index of the family, parameter values. */
export type ActionList = { family: string; familyIndex: number; args: number[] }[];

/**
 * Generates the env's functions (masks, steps, reward, features, terminal test, mode key) as
 * JavaScript from the checked spec, with the constant tables, externs and runtime helpers.
 */
export function generate(
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
