import { createReadStream, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { oracleClientFromFlags, oracleFlags } from '@gflownet/core/oracles';
import {
  type CommandContribution,
  type CommandInput,
  type FlagSpec,
  type FlagValue,
  UserError,
  initBackend,
} from '@gflownet/core';
import { QedCalculator } from './chem/qed.js';
import { canonicalSmiles, loadRDKit, reloadRDKit } from './chem/rdkit.js';
import { drawGrid } from './draw.js';
import { saveProxy, trainProxy } from './proxy.js';
import {
  MAX_SMILES_ATOMS,
  MAX_SMILES_LENGTH,
  type ScoreRow,
  countSmilesAtoms,
  scoreSmiles,
} from './score.js';

const HELP: FlagSpec = { name: 'help', type: 'bool', alias: 'h', description: 'show this help' };

const TABLE: Record<string, { usage: string; brief: string; summary: string; flags: FlagSpec[] }> =
  {
    score: {
      usage: 'gfn molecule score FILE [--oracle SPEC]',
      brief: "QED, logP, weight and heavy atoms of SMILES (and an oracle's score), as JSON lines",
      summary:
        'Reads SMILES, one per line (FILE or - for standard input), and prints one JSON object per line:\n' +
        'smiles, canonical, valid, qed, logp, mw, heavy_atoms, and an error message for input RDKit\n' +
        "rejects (the rest of the file is still scored). With --oracle, each valid molecule's canonical\n" +
        'SMILES also goes to an external scorer (a program reading one SMILES per line on stdin and\n' +
        'writing one score per line, or an HTTP endpoint taking {"objects": [...]} and answering\n' +
        '{"scores": [...]}), in batches, with retries and an optional persistent cache; its answer is the\n' +
        '"oracle" field (null with "oracle_error" when it gave none: never an invented score).',
      flags: [...oracleFlags('molecules'), HELP],
    },
    draw: {
      usage: 'gfn molecule draw FILE --out grid.svg',
      brief: 'the best distinct molecules of a SMILES file as an SVG grid',
      summary:
        'Draws the best distinct molecules of a SMILES file (one per line, e.g. from gfn sample) as an\n' +
        'SVG grid, each labelled with its score; invalid lines are skipped.',
      flags: [
        {
          name: 'out',
          type: 'string',
          placeholder: 'FILE',
          description: 'SVG file to write (required)',
        },
        {
          name: 'top',
          type: 'int',
          default: 12,
          min: 1,
          max: 1000,
          description: 'molecules to draw',
        },
        {
          name: 'columns',
          type: 'int',
          default: 4,
          min: 1,
          max: 50,
          description: 'molecules per row',
        },
        {
          name: 'size',
          type: 'int',
          default: 250,
          min: 50,
          max: 2000,
          description: 'cell size in pixels',
        },
        {
          name: 'by',
          type: 'string',
          default: 'qed',
          choices: ['qed', 'logp', 'order'],
          description: 'rank by QED, by logP, or keep file order',
        },
        HELP,
      ],
    },
    'train-proxy': {
      usage: 'gfn molecule train-proxy DATA.csv --out DIR',
      brief: 'train a neural proxy reward on a CSV of SMILES and scores',
      summary:
        'Trains a small neural proxy (Morgan fingerprint radius 2, 2048 bits -> hidden ReLU layer ->\n' +
        'score) on a CSV with a header row, and saves it as a tfjs model directory for --reward proxy\n' +
        '--proxy DIR. Rows whose SMILES RDKit rejects are skipped and counted.',
      flags: [
        {
          name: 'out',
          type: 'string',
          placeholder: 'DIR',
          description: 'model directory to write (required)',
        },
        {
          name: 'smiles-column',
          type: 'string',
          default: 'smiles',
          description: 'column of SMILES',
        },
        { name: 'score-column', type: 'string', default: 'score', description: 'column of scores' },
        {
          name: 'epochs',
          type: 'int',
          default: 30,
          min: 1,
          max: 10000,
          description: 'passes over the data',
        },
        {
          name: 'hidden',
          type: 'int',
          default: 256,
          min: 1,
          max: 4096,
          description: 'hidden units',
        },
        {
          name: 'lr',
          type: 'float',
          default: 1e-3,
          min: 1e-7,
          max: 1,
          description: 'Adam learning rate',
        },
        {
          name: 'validation',
          type: 'float',
          default: 0.1,
          min: 0,
          max: 0.5,
          description: 'fraction of rows held out',
        },
        {
          name: 'seed',
          type: 'int',
          default: 0,
          min: 0,
          max: 2 ** 31 - 1,
          description: 'random seed',
        },
        HELP,
      ],
    },
  };

/** Runs one molecule command on its input FILE (`-` for standard input with score). */
async function runMolecule(sub: string, { values, positional }: CommandInput): Promise<void> {
  const file = positional[0]!;
  if (file !== '-' && !existsSync(file)) {
    throw new UserError(`gfn molecule ${sub}: file '${file}' does not exist`);
  }
  if (sub !== 'score' && !values['out'])
    throw new UserError(`gfn molecule ${sub}: --out is required`);
  if (sub === 'score') return scoreFile(file, values);
  if (sub === 'draw') return drawFile(file, values as Record<string, number & string>);
  return trainProxyFile(file, values as Record<string, number & string>);
}

/** `gfn molecule score|draw|train-proxy`, contributed to the gfn CLI by this package's module. */
export const MOLECULE_COMMANDS: readonly CommandContribution[] = Object.entries(TABLE).map(
  ([sub, c]) => ({
    name: `molecule ${sub}`,
    summary: c.brief,
    usage: c.usage,
    description: c.summary,
    flags: c.flags,
    arguments: { min: 1, max: 1, what: 'input FILE' },
    run: (input) => runMolecule(sub, input),
  }),
);

/**
 * Scores each line. Should RDKit fault on one (its WASM instance is then unusable), that line is
 * reported, RDKit is re-instantiated and the rest are scored by the new instance.
 */
async function* scoredLines(file: string): AsyncGenerator<ScoreRow> {
  let rdkit = await loadRDKit();
  let qed = new QedCalculator(rdkit);
  try {
    const input = file === '-' ? process.stdin : createReadStream(file, 'utf8');
    let n = 0;
    for await (const line of createInterface({ input, crlfDelay: Infinity })) {
      n += 1;
      const row = scoreSmiles(rdkit, qed, line);
      if (row.fault) {
        process.stderr.write(`${file}:${n}: RDKit faulted on this line; restarting it\n`);
        rdkit = await reloadRDKit();
        qed = new QedCalculator(rdkit);
        delete row.fault;
      }
      yield row;
    }
  } finally {
    try {
      qed.dispose();
    } catch {
      // an instance that faulted cannot free its memory; it is dropped whole
    }
  }
}

async function scoreFile(file: string, values: Record<string, FlagValue>): Promise<void> {
  const spec = values['oracle'] as string | undefined;
  if (!spec) {
    for await (const row of scoredLines(file)) process.stdout.write(`${JSON.stringify(row)}\n`);
    return;
  }
  const client = oracleClientFromFlags(values)!;
  // Rows wait until enough valid molecules fill the oracle's calls, then print in input order.
  const chunk = (values['oracle-batch'] as number) * (values['oracle-concurrency'] as number);
  let rows: (ScoreRow & { oracle?: number | null; oracle_error?: string })[] = [];
  const flush = async () => {
    const valid = rows.filter((r) => r.valid && r.canonical);
    const scores = await client.scoreDetailed(valid.map((r) => r.canonical!));
    valid.forEach((r, i) => {
      r.oracle = scores[i]!.score;
      if (scores[i]!.error) r.oracle_error = scores[i]!.error;
    });
    for (const r of rows) process.stdout.write(`${JSON.stringify(r)}\n`);
    rows = [];
  };
  try {
    for await (const row of scoredLines(file)) {
      rows.push(row);
      if (rows.filter((r) => r.valid).length >= chunk) await flush();
    }
    await flush();
  } finally {
    await client.close();
  }
  const s = client.stats();
  process.stderr.write(
    `oracle ${client.oracle.name}: ${s.oracle_calls} calls, ${s.oracle_cache_hits} cache hits, ` +
      `${s.oracle_failures} molecules without a score, ${s.oracle_retries} retries, ` +
      `mean call ${s.oracle_latency_mean.toFixed(3)} s\n`,
  );
}

async function drawFile(file: string, v: Record<string, number & string>): Promise<void> {
  const distinct = new Map<string, ScoreRow>();
  for await (const row of scoredLines(file)) {
    if (row.valid && !distinct.has(row.canonical!)) distinct.set(row.canonical!, row);
  }
  if (distinct.size === 0) throw new UserError(`gfn molecule draw: no valid SMILES in '${file}'`);
  const by = v['by'] as 'qed' | 'logp' | 'order';
  const rows = [...distinct.values()];
  if (by !== 'order') rows.sort((a, b) => b[by]! - a[by]!);
  const chosen = rows.slice(0, v['top']);
  const rdkit = await loadRDKit();
  const svg = drawGrid(
    rdkit,
    chosen.map((r) => ({
      smiles: r.canonical!,
      legend: by === 'logp' ? `logP ${r.logp!.toFixed(2)}` : `QED ${r.qed!.toFixed(3)}`,
    })),
    { columns: v['columns'], size: v['size'] },
  );
  writeFileSync(v['out'], svg);
  process.stderr.write(
    `wrote ${chosen.length} of ${distinct.size} distinct molecules to ${v['out']}\n`,
  );
}

/** Parses a CSV with a header row; fields may be double-quoted. */
export function readScoresCsv(
  text: string,
  file: string,
  smilesColumn: string,
  scoreColumn: string,
): { rows: { smiles: string; score: number }[]; skipped: number; lines: number } {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length < 2)
    throw new UserError(`${file}: needs a header row and at least one data row`);
  const header = splitCsvLine(lines[0]!).map((h) => h.trim());
  const si = header.indexOf(smilesColumn);
  const ci = header.indexOf(scoreColumn);
  for (const [name, i] of [
    [smilesColumn, si],
    [scoreColumn, ci],
  ] as const) {
    if (i < 0) throw new UserError(`${file}: no column '${name}' (columns: ${header.join(', ')})`);
  }
  const rows: { smiles: string; score: number }[] = [];
  let skipped = 0;
  lines.slice(1).forEach((line, j) => {
    const fields = splitCsvLine(line);
    const smiles = fields[si]?.trim() ?? '';
    const raw = fields[ci]?.trim() ?? '';
    const score = raw === '' ? NaN : Number(raw);
    if (!Number.isFinite(score)) {
      throw new UserError(`${file}:${j + 2}: score '${raw}' is not a number`);
    }
    if (smiles === '') skipped += 1;
    else rows.push({ smiles, score });
  });
  return { rows, skipped, lines: lines.length - 1 };
}

function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(field);
      field = '';
    } else field += c;
  }
  out.push(field);
  return out;
}

async function trainProxyFile(file: string, v: Record<string, number & string>): Promise<void> {
  const text = readFileSync(file, 'utf8');
  const parsed = readScoresCsv(text, file, v['smiles-column'], v['score-column']);
  const rdkit = await loadRDKit();
  const rows = parsed.rows.filter(
    (r) =>
      r.smiles.length <= MAX_SMILES_LENGTH &&
      countSmilesAtoms(r.smiles) <= MAX_SMILES_ATOMS &&
      canonicalSmiles(rdkit, r.smiles) !== null,
  );
  const skipped = parsed.skipped + parsed.rows.length - rows.length;
  if (rows.length < 10) {
    throw new UserError(`${file}: ${rows.length} usable rows; the proxy needs at least 10`);
  }
  const backend = await initBackend();
  process.stderr.write(
    `backend: ${backend.name}; ${rows.length} molecules (${skipped} rows skipped: empty or invalid SMILES)\n`,
  );
  const { model, info, validMse } = await trainProxy(rdkit, rows, {
    epochs: v['epochs'],
    hidden: v['hidden'],
    lr: v['lr'],
    seed: v['seed'],
    validation: v['validation'],
    onEpoch: (epoch, train, valid) =>
      process.stderr.write(
        `epoch ${epoch}/${v['epochs']}  train mse ${train.toFixed(4)}${Number.isNaN(valid) ? '' : `  validation mse ${valid.toFixed(4)}`}\n`,
      ),
  });
  await saveProxy(model, v['out'], info);
  model.dispose();
  process.stdout.write(
    `${JSON.stringify({ out: v['out'], molecules: rows.length, skipped, validation_mse: Number.isNaN(validMse) ? null : validMse })}\n`,
  );
}
