import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { UserError } from '@gflownet/core';
import { type FlagSpec, formatHelp, parseFlags } from './flags.js';
import { info } from './setup.js';

export const NEW_ENV_FLAGS: FlagSpec[] = [
  {
    name: 'dir',
    type: 'string',
    placeholder: 'DIR',
    description: 'directory to create (default: the package name without its scope)',
  },
  { name: 'help', type: 'bool', alias: 'h', description: 'show this help' },
];

export function newEnvHelp(): string {
  return formatHelp(
    'gfn new-env NAME [--dir DIR]',
    'Create a ready-to-publish env package: a .gfn spec, the module that registers it, a test\n' +
      '(node --test: the spec passes the model check and a GFlowNet trains on it to a low exact\n' +
      'L1), a README and a LICENSE. NAME is the npm package name (e.g. env-knapsack or\n' +
      '@me/env-knapsack); the env is named after it without scope and "env-" prefix.',
    NEW_ENV_FLAGS,
  );
}

/** The env (and spec) name of a package name: '@me/env-bag-2' -> 'bag_2'. */
export function envNameOf(packageName: string): string {
  const base = packageName.split('/').at(-1)!.replace(/^env-/, '');
  const ident = base.replace(/[^A-Za-z0-9_]/g, '_').replace(/^([0-9])/, '_$1');
  return ident === '' ? 'env' : ident;
}

const PACKAGE_NAME = /^(@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*$/;

export function newEnvCommand(argv: readonly string[]): void {
  const { values, positional } = parseFlags(argv, NEW_ENV_FLAGS, false);
  if (values['help']) {
    process.stdout.write(newEnvHelp());
    return;
  }
  if (positional.length !== 1) throw new UserError('gfn new-env: give one package NAME');
  const name = positional[0]!;
  if (!PACKAGE_NAME.test(name) || name.length > 214) {
    throw new UserError(
      `gfn new-env: '${name}' is not a valid npm package name (lowercase letters, digits, '-', '.', '_', optionally @scope/)`,
    );
  }
  const dir = resolve((values['dir'] as string | undefined) ?? name.split('/').at(-1)!);
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new UserError(`gfn new-env: directory '${dir}' exists and is not empty`);
  }
  const files = scaffold(name, envNameOf(name));
  mkdirSync(join(dir, 'test'), { recursive: true });
  for (const [file, content] of Object.entries(files)) writeFileSync(join(dir, file), content);
  info(`created ${basename(dir)}/: ${Object.keys(files).join(', ')}`);
  info(`next: cd ${basename(dir)} && npm test, then npx gfn train --env . to train on it`);
}

/** The files of a new env package, by path. */
export function scaffold(packageName: string, env: string): Record<string, string> {
  const className = `${env.charAt(0).toUpperCase()}${env.slice(1).replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())}Env`;
  const spec = `${env}.gfn`;
  const year = new Date().getFullYear();
  return {
    'package.json': `${JSON.stringify(
      {
        name: packageName,
        version: '0.1.0',
        description: `The ${env} environment for gflownet-ts, defined in ${spec}.`,
        keywords: ['gflownet', 'gflownet-env'],
        license: 'MIT',
        type: 'module',
        main: './index.js',
        types: './index.d.ts',
        exports: {
          '.': { types: './index.d.ts', default: './index.js' },
          './package.json': './package.json',
        },
        files: ['index.js', 'index.d.ts', spec, 'README.md', 'LICENSE'],
        engines: { node: '>=20' },
        scripts: { test: 'node --test test/' },
        gflownet: { module: './index.js', envs: [env] },
        peerDependencies: {
          '@gflownet/core': '>=0.1.0 <1.0.0',
          '@gflownet/dsl': '>=0.1.0 <1.0.0',
        },
      },
      null,
      2,
    )}\n`,
    [spec]: `# A bag of up to \`size\` items of five kinds, filled one item at a time in any order (many
# orders reach the same bag, so the process is a DAG). Stop at any time once the bag holds an
# item; the reward favours valuable bags.
env ${env}

param size: int = 4 in 1..8          # most items in a bag

const value: float[5] = [1.0, 0.4, 1.6, 0.2, 0.8]

state { items: int[5] in 0..8 }
init items = 0

action add(k in 0..4) when sum(i in 0..4: items[i]) < size do items[k] += 1
action done when sum(i in 0..4: items[i]) > 0 stop

parent add(k in 0..4) when items[k] > 0 do items[k] -= 1

reward exp(sum(i in 0..4: items[i] * value[i]) / size)
`,
    'index.js': `import { fileURLToPath } from 'node:url';
import { loadSpecFile, specEnvModule } from '@gflownet/dsl';

/** Where the spec ships (next to this file). */
export const SPEC_PATH = fileURLToPath(new URL('./${spec}', import.meta.url));

/** The env class compiled from ${spec}: \`new ${className}({ size: 6 })\`. */
export const ${className} = loadSpecFile(SPEC_PATH);

/** Registers the env for \`gfn train --env ${packageName}\` and for createRun. */
export default specEnvModule(${className});
`,
    'index.d.ts': `import type { ContainerModule } from 'inversify';
import type { SpecEnvClass } from '@gflownet/dsl';

export declare const SPEC_PATH: string;
export declare const ${className}: SpecEnvClass;
declare const module: ContainerModule;
export default module;
`,
    [`test/${env}.test.js`]: `import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRun, initBackend } from '@gflownet/core';
import { assertConformance } from '@gflownet/core/testing';
import { checkFailed, checkSpecEnv, formatCheckReport } from '@gflownet/dsl';
import envModule, { ${className}, SPEC_PATH } from '../index.js';

test('the spec passes the model check', async () => {
  const report = await checkSpecEnv(new ${className}(), { limit: 100000 });
  assert.equal(checkFailed(report), false, formatCheckReport(report, SPEC_PATH));
});

test('the env keeps the env contract (the conformance suite of @gflownet/core)', async () => {
  await assertConformance(new ${className}());
  await assertConformance(new ${className}({ size: 8 }), { maxStates: 200, walks: 100 });
});

test('a GFlowNet trains on it to a low exact L1', async () => {
  await initBackend();
  const run = await createRun(
    { env: '${env}', loss: 'tb', batchSize: 32, iterations: 300, evalEvery: 300 },
    [envModule],
  );
  const result = await run.train();
  run.dispose();
  assert.ok(result.exact.l1_exact < 0.2, \`exact L1 \${result.exact.l1_exact}\`);
});
`,
    'README.md': `# ${packageName}

The \`${env}\` environment for [gflownet-ts](https://www.npmjs.com/package/@gflownet/core),
defined in [\`${spec}\`](${spec}): a bag of up to \`size\` items of five kinds, filled in any order,
rewarded by its value. Edit the spec to make it your own domain.

\`\`\`sh
npm install @gflownet/cli ${packageName}
npx gfn check node_modules/${packageName}/${spec}               # model-check the spec
npx gfn train --env ${packageName} --size 6 --loss tb --iterations 300
\`\`\`

From code:

\`\`\`js
import { createRun } from '@gflownet/core';
import envModule from '${packageName}';

const run = await createRun({ env: '${env}', envParams: { size: 6 } }, [envModule]);
const result = await run.train();
console.log(result.exact.l1_exact);
\`\`\`

## Developing

- \`npm test\` model-checks the spec and trains a GFlowNet on it to a low exact L1.
- \`npx gfn train --env . --iterations 300\` trains on the package in this directory.
- \`npm publish\` publishes it (\`files\` lists what ships).
`,
    LICENSE: `MIT License

Copyright (c) ${year} the ${packageName} authors

Permission is hereby granted, free of charge, to any person obtaining a copy of this software and
associated documentation files (the "Software"), to deal in the Software without restriction,
including without limitation the rights to use, copy, modify, merge, publish, distribute,
sublicense, and/or sell copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all copies or
substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT
NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND
NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM,
DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT
OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
`,
  };
}
