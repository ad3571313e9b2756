/**
 * The command line of a bench script: prints `help` and exits on --help; `flag(name)` is the word
 * after --name, `has(name)` whether --name is there.
 */
export function benchArgs(help: string): {
  flag: (name: string) => string | undefined;
  has: (name: string) => boolean;
} {
  const args = process.argv.slice(2);
  if (args.includes('--help')) {
    console.log(help);
    process.exit(0);
  }
  return {
    flag: (name) => {
      const i = args.indexOf(`--${name}`);
      return i >= 0 ? args[i + 1] : undefined;
    },
    has: (name) => args.includes(`--${name}`),
  };
}
