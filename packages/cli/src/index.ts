/**
 * @gflownet/cli: the `gfn` command. Its programmatic entry points: `main(argv)` runs a command
 * and resolves to the exit code; `cliReference()` is docs/cli.md, made from the help texts.
 */
export { allHelp, cliReference, main, mainHelp } from './app.js';
export { type DiscoveredPackage, type PackageManifest, discoverPackages } from './discover.js';
