// Runs gfn command lines one after the other in this one process, through the built CLI's
// main(), in the directory given; prints, as JSON, each one's exit code, what it wrote on
// stderr, and every file of the directory after it (path -> size and mtime). One process
// instead of one per command line: the module loading is paid once.
//
//   node main-cases.mjs DIR '[["train", "--lr", "abc"], ...]'
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../dist/app.js';

const [dir, casesJson] = process.argv.slice(2);
process.chdir(dir);

function snapshot() {
  const out = {};
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const s = statSync(p);
      if (s.isDirectory()) walk(p);
      else out[p] = `${s.size}:${s.mtimeMs}`;
    }
  };
  walk(dir);
  return out;
}

const results = [{ files: snapshot() }];
const writeErr = process.stderr.write.bind(process.stderr);
const writeOut = process.stdout.write.bind(process.stdout);
for (const args of JSON.parse(casesJson)) {
  let stderr = '';
  process.stderr.write = (chunk) => {
    stderr += String(chunk);
    return true;
  };
  process.stdout.write = () => true;
  let code;
  try {
    code = await main(args);
  } catch (err) {
    code = -1;
    stderr += err instanceof Error ? (err.stack ?? err.message) : String(err);
  } finally {
    process.stderr.write = writeErr;
    process.stdout.write = writeOut;
  }
  results.push({ code, stderr, files: snapshot() });
}
writeOut(JSON.stringify(results));
process.exit(0);
