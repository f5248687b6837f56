// Bundles one Node entry point (and the libs it imports, resolved through tsconfig paths)
// into one CommonJS file. npm packages stay external and load from node_modules at run time.
import { build } from 'esbuild';

export function bundle(entry, outfile) {
  return build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    packages: 'external',
    sourcemap: true,
    tsconfig: 'tsconfig.base.json',
    logLevel: 'warning',
  });
}

/** `--outfile <path>` from argv, else the default. */
export function outfileArg(argv, fallback) {
  const at = argv.indexOf('--outfile');
  return at === -1 ? fallback : argv[at + 1];
}
