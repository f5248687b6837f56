// The `wolfe` CLI: node scripts/build-cli.mjs [--outfile <path>]   (default dist/apps/cli/main.js)
import { bundle, outfileArg } from './bundle.mjs';

await bundle('apps/cli/src/main.ts', outfileArg(process.argv, 'dist/apps/cli/main.js'));
