import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { type FlagSpec, UserError, formatHelp, parseFlags } from '@gflownet/core';
import { QedCalculator } from './chem/qed.js';
import { loadRDKit } from './chem/rdkit.js';
import { scoreSmiles } from './score.js';

const SCORE_FLAGS: FlagSpec[] = [
  { name: 'help', type: 'bool', alias: 'h', description: 'show this help' },
];

export function moleculeHelp(): string {
  return formatHelp(
    'gfn molecule score FILE',
    'Molecule tools.\n\n  score FILE  reads SMILES, one per line (FILE or - for standard input), and prints one JSON\n              object per line: smiles, canonical, valid, qed, logp, mw, heavy_atoms, and an\n              error message for input RDKit rejects (the rest of the file is still scored)',
    SCORE_FLAGS,
  );
}

export async function moleculeCommand(argv: readonly string[]): Promise<number | void> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h') {
    process.stdout.write(moleculeHelp());
    return sub === undefined ? 2 : 0;
  }
  if (sub !== 'score') {
    throw new UserError(`unknown molecule command '${sub}' (valid: 'score')`);
  }
  const { values, positional } = parseFlags(rest, SCORE_FLAGS, false);
  if (values['help']) {
    process.stdout.write(moleculeHelp());
    return;
  }
  if (positional.length !== 1) throw new UserError('gfn molecule score: give one FILE (or -)');
  const file = positional[0]!;
  if (file !== '-' && !existsSync(file)) {
    throw new UserError(`gfn molecule score: file '${file}' does not exist`);
  }
  const rdkit = await loadRDKit();
  const qed = new QedCalculator(rdkit);
  try {
    const input = file === '-' ? process.stdin : createReadStream(file, 'utf8');
    for await (const line of createInterface({ input, crlfDelay: Infinity })) {
      process.stdout.write(`${JSON.stringify(scoreSmiles(rdkit, qed, line))}\n`);
    }
  } finally {
    qed.dispose();
  }
}
