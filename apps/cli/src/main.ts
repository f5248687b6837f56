// `wolfe`: the runbook author's loop on the working copy, with the same manifest rules, compiler
// and sandbox as the server.
//
//   node --no-node-snapshot dist/apps/cli/main.js run  runbooks/disk-cleanup --event runbooks/disk-cleanup/fixtures/alertmanager-firing.json
//   node --no-node-snapshot dist/apps/cli/main.js test runbooks/disk-cleanup
//
// Exit codes: 0 = ok; 1 = the runbook failed or did not load, or a test failed; 2 = bad usage.
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { Environment } from '@wolfe/application';
import { EXIT_FAILED, EXIT_USAGE, runCommand, testCommand, type Output } from './commands';
import { UsageError } from './folder';

const output: Output = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

function environment(value: string): Environment {
  if (value !== 'dev' && value !== 'test' && value !== 'prod') throw new InvalidArgumentError('must be dev, test or prod');
  return value;
}

/** Runs a command; turns usage errors into exit code 2 and anything unexpected into 1. */
async function guard(work: () => Promise<number>): Promise<number> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof UsageError) {
      output.err(`wolfe: ${error.message}`);
      return EXIT_USAGE;
    }
    output.err(`wolfe: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return EXIT_FAILED;
  }
}

function program(done: (code: number) => void): Command {
  const cli = new Command('wolfe')
    .description('Run and test Wolfe runbooks from the working copy (run node with --no-node-snapshot)')
    .showHelpAfterError()
    .exitOverride();

  cli
    .command('run')
    .description('validate, compile and run a runbook once, in the sandbox, with its runbook.yaml limits')
    .argument('<runbook-dir>', 'the runbook folder (holding runbook.yaml and index.ts)')
    .option('-e, --event <file>', 'JSON: an event { labels, annotations, status, startsAt } or a raw Alertmanager webhook (first alert)')
    .option('--source <name>', 'read --event as a raw payload of this source (alertmanager, grafana, …)')
    .option('-p, --params <file>', 'JSON object: ctx.params')
    .addOption(new Option('--env <env>', 'ctx.env').default('dev').argParser(environment))
    .option('--json', 'print the outcome, logs, steps and attachments as JSON', false)
    .action(async (dir: string, opts: { event?: string; source?: string; params?: string; env: Environment; json: boolean }) => {
      done(await guard(() => runCommand(dir, opts, output)));
    });

  cli
    .command('test')
    .description("run the runbook's tests (tests/*.yaml) in the sandbox")
    .argument('<runbook-dir>', 'the runbook folder')
    .option('-f, --filter <text>', 'only the test files whose path contains this')
    .action(async (dir: string, opts: { filter?: string }) => {
      done(await guard(() => testCommand(dir, opts, output)));
    });
  return cli;
}

async function main(): Promise<void> {
  let code: number | null = null;
  try {
    await program((c) => (code = c)).parseAsync(process.argv);
  } catch (error) {
    if (error instanceof CommanderError) code = error.exitCode === 0 ? 0 : EXIT_USAGE;
    else throw error;
  }
  // process.exit: an execution may leave nothing running, but exit promptly all the same.
  process.exit(code ?? 0);
}

void main();
