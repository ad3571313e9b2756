#!/usr/bin/env node
/** Rewrites docs/cli.md from the CLI's own help texts (run after `pnpm build`). */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { cliReference } from '@gflownet/cli';

const out = join(resolve(import.meta.dirname, '..'), 'docs/cli.md');
writeFileSync(out, await cliReference());
console.log(`wrote ${out}`);
