import type { ModuleLoader } from './protocol.js';

/** Imports each specifier (a package or a file URL/path) and takes its default export. */
const load: ModuleLoader = async (specifiers) => {
  const out: unknown[] = [];
  for (const s of specifiers) {
    const m = (await import(s)) as { default?: unknown };
    if (!m.default) throw new Error(`module '${s}' has no default export to load as a plugin`);
    out.push(m.default);
  }
  return out;
};

export default load;
