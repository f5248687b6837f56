// Bundles the `wolfe` CLI (and its libs, resolved through tsconfig paths) into one CommonJS
// file. npm packages stay external and load from node_modules at run time.
//   node scripts/build-cli.mjs [--outfile <path>]     (default dist/apps/cli/main.js)
import { build } from 'esbuild';

const at = process.argv.indexOf('--outfile');
const outfile = at === -1 ? 'dist/apps/cli/main.js' : process.argv[at + 1];

await build({
  entryPoints: ['apps/cli/src/main.ts'],
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
