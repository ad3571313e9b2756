import { readFileSync } from 'node:fs';

/**
 * What a table script does when run: prints the spec's `const` declaration `text`, or with
 * `--json` the numbers `table`, or with `--check FILE` exits 1 when FILE does not contain `text`.
 */
export function tableCli(table, text) {
  const at = process.argv.indexOf('--check');
  if (process.argv.includes('--json')) console.log(JSON.stringify(table));
  else if (at > 0) {
    if (!readFileSync(process.argv[at + 1], 'utf8').includes(text)) {
      console.error(`${process.argv[at + 1]}: its table is not the one this script makes`);
      process.exit(1);
    }
  } else console.log(text);
}
