// The server: node scripts/build-server.mjs [--outfile <path>]   (default dist/apps/server/main.js)
import { bundle, outfileArg } from './bundle.mjs';

await bundle('apps/server/src/main.ts', outfileArg(process.argv, 'dist/apps/server/main.js'));
