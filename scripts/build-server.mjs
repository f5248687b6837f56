// Bundles the server (and its libs, resolved through tsconfig paths) into one CommonJS
// file. npm packages stay external and load from node_modules at run time.
import { build } from 'esbuild';

await build({
  entryPoints: { 'apps/server/main': 'apps/server/src/main.ts' },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'cjs',
  packages: 'external',
  sourcemap: true,
  tsconfig: 'tsconfig.base.json',
  logLevel: 'warning',
});
