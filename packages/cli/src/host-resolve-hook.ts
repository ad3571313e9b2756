/**
 * A module resolution hook (node:module register): a bare import of one of the host's packages
 * that fails from the importing file's folder is resolved again from the CLI's folder, then from
 * the working directory.
 */
const HOST_PACKAGES = /^(@gflownet\/[^/]+|@tensorflow\/[^/]+|inversify|reflect-metadata)(\/.*)?$/;

/** Where to resolve from instead: the CLI's own folder, then the working directory's project. */
let fallbacks: string[] = [];

export function initialize(data: { fallbacks: string[] }): void {
  fallbacks = data.fallbacks;
}

interface ResolveContext {
  parentURL?: string;
  conditions: string[];
  importAttributes?: Record<string, string>;
}
type NextResolve = (specifier: string, context?: ResolveContext) => Promise<unknown>;

export async function resolve(
  specifier: string,
  context: ResolveContext,
  nextResolve: NextResolve,
): Promise<unknown> {
  try {
    return await nextResolve(specifier, context);
  } catch (err) {
    const notFound = (err as { code?: string }).code === 'ERR_MODULE_NOT_FOUND';
    if (!notFound || !HOST_PACKAGES.test(specifier)) throw err;
    for (const parentURL of fallbacks) {
      if (parentURL === context.parentURL) continue;
      try {
        return await nextResolve(specifier, { ...context, parentURL });
      } catch {
        // try the next place
      }
    }
    throw err;
  }
}
