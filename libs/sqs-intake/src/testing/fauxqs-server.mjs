// Runs the fauxqs SQS emulator in its own process (it is an ES module only, which Jest's
// CommonJS runtime cannot load). Prints {"endpoint": "..."} once listening; stops when
// stdin closes (the parent exited or called stop()) or on SIGTERM.
import { startFauxqs } from 'fauxqs';

const server = await startFauxqs({ port: 0, host: 'localhost', defaultRegion: process.env.FAUXQS_REGION || 'eu-west-1', logger: false });
process.stdout.write(`${JSON.stringify({ endpoint: `http://127.0.0.1:${server.port}` })}\n`);
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await server.stop();
  process.exit(0);
};
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
