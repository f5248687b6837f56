// `wolfe`: the runbook author's loop on the working copy, with the same manifest rules, compiler
// and sandbox as the server.
//
//   node --no-node-snapshot dist/apps/cli/main.js run  runbooks/disk-cleanup --event runbooks/disk-cleanup/fixtures/alertmanager-firing.json
//   node --no-node-snapshot dist/apps/cli/main.js test runbooks/disk-cleanup
//
// and the lifecycle of the HTTP API (projects, runbooks, history, diff, push, promote,
// rollback, trigger, send, executions) against a running Wolfe:
//
//   npm run wolfe -- promote default disk-cleanup --from dev --to test --reason "tested on dev"
//
// Exit codes: 0 = ok; 1 = the runbook failed or did not load, a test failed, or the API
// refused (its message is printed); 2 = bad usage.
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { Environment } from '@wolfe/application';
import { EXIT_FAILED, EXIT_USAGE, runCommand, testCommand, type Output } from './commands';
import { UsageError } from './folder';
import { ApiClient, ApiError, remote, type RemoteOptions } from './remote';

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
  remoteCommands(cli, done);
  return cli;
}

/** Prints an API answer: the unified diff for `diff`, JSON otherwise. */
function print(value: unknown): void {
  if (typeof value === 'object' && value !== null && 'diff' in value && typeof (value as { diff: unknown }).diff === 'string') {
    output.out((value as { diff: string }).diff);
    return;
  }
  output.out(JSON.stringify(value, null, 2));
}

function remoteCommands(cli: Command, done: (code: number) => void): void {
  const connect = (cmd: Command): Command =>
    cmd
      .option('--url <url>', 'Wolfe server (default $WOLFE_URL or http://localhost:8080)')
      .option('--token <token>', 'API token (default $WOLFE_TOKEN)')
      .option('--token-file <file>', 'file holding the token (default $WOLFE_TOKEN_FILE or .wolfe/admin-token)');
  const act =
    <A extends unknown[]>(fn: (api: ApiClient, ...args: A) => Promise<unknown>) =>
    async (...args: unknown[]): Promise<void> => {
      const cmd = args[args.length - 1] as Command;
      const o = cmd.opts<RemoteOptions>();
      done(
        await guard(async () => {
          try {
            const api = await ApiClient.create(o);
            print(await fn(api, ...(args.slice(0, -1) as A)));
            return 0;
          } catch (err) {
            if (err instanceof ApiError) {
              output.err(`wolfe: ${err.message}`);
              return EXIT_FAILED;
            }
            throw err;
          }
        }),
      );
    };
  const env = (cmd: Command, dflt = 'dev'): Command => cmd.addOption(new Option('--env <env>', 'environment').default(dflt).argParser(environment));

  connect(cli.command('projects').description('list the projects'))
    .action(act((api) => remote.projects(api)));
  connect(cli.command('project-create').description('create a project (optionally bound to a git remote)').argument('<name>'))
    .option('--remote <url>', 'git remote URL')
    .option('--token-env <name>', 'name of the SERVER environment variable holding the remote token')
    .action(act((api, name: string, o: { remote?: string; tokenEnv?: string }) => remote.createProject(api, name, o)));
  connect(cli.command('sync').description('fetch a project from its remote now').argument('<project>'))
    .action(act((api, project: string) => remote.sync(api, project)));
  env(connect(cli.command('runbooks').description("list a project's runbooks in an environment").argument('<project>')))
    .action(act((api, project: string, o: { env: string }) => remote.runbooks(api, project, o.env)));
  connect(cli.command('show').description('a runbook at an environment or a version').argument('<project>').argument('<runbook>'))
    .addOption(new Option('--env <env>', 'environment').argParser(environment))
    .option('--version <sha>', 'a commit instead of an environment')
    .action(act((api, project: string, name: string, o: { env?: string; version?: string }) => remote.show(api, project, name, o)));
  env(connect(cli.command('history').description("a runbook's commits (with the audit trailers)").argument('<project>').argument('<runbook>')))
    .action(act((api, project: string, name: string, o: { env: string }) => remote.history(api, project, name, o.env)));
  connect(cli.command('diff').description('diff a runbook between environments or versions').argument('<project>').argument('<runbook>'))
    .requiredOption('--from <env|version>', 'from')
    .requiredOption('--to <env|version>', 'to')
    .action(act((api, project: string, name: string, o: { from: string; to: string }) => remote.diff(api, project, name, o.from, o.to)));
  connect(cli.command('push').description('commit a runbook folder to dev (validated first; 422 names file and line)').argument('<project>').argument('<runbook-dir>'))
    .requiredOption('-m, --message <text>', 'commit message: what changed and why')
    .option('--name <runbook>', 'runbook name (default: the folder name)')
    .option('--base <sha>', 'the version you edited (a newer one on dev → 409 with what changed)')
    .action(
      act((api, project: string, dir: string, o: { message: string; name?: string; base?: string }) =>
        remote.push(api, project, o.name ?? dir.replace(/\/+$/, '').split('/').pop() ?? dir, dir, o),
      ),
    );
  connect(cli.command('delete').description('delete a runbook from dev').argument('<project>').argument('<runbook>'))
    .option('-m, --message <text>', 'commit message')
    .option('--base <sha>', 'expected version')
    .action(act((api, project: string, name: string, o: { message?: string; base?: string }) => remote.remove(api, project, name, o)));
  connect(cli.command('promote').description('promote ONE runbook to the next environment, after its gates').argument('<project>').argument('<runbook>'))
    .requiredOption('--from <env>', 'source environment')
    .requiredOption('--to <env>', 'target environment')
    .option('--reason <text>', 'why (recorded in the commit)')
    .option('--override <reason>', 'promote although a gate failed (admin; the reason is recorded)')
    .action(act((api, project: string, name: string, o: { from: string; to: string; reason?: string; override?: string }) => remote.promote(api, project, name, o)));
  connect(cli.command('rollback').description("restore a runbook's folder in an environment as of a version").argument('<project>').argument('<runbook>'))
    .addOption(new Option('--env <env>', 'environment').makeOptionMandatory().argParser(environment))
    .requiredOption('--version <sha>', 'the version to restore')
    .requiredOption('--reason <text>', 'why (recorded in the commit)')
    .action(act((api, project: string, name: string, o: { env: string; version: string; reason: string }) => remote.rollback(api, project, name, o)));
  connect(cli.command('trigger').description('a manual test run in dev').argument('<project>').argument('<runbook>'))
    .option('--event <file>', 'JSON event { labels, annotations?, status? }')
    .option('--event-id <id>', 'replay an event from the ledger')
    .action(act((api, project: string, name: string, o: { event?: string; eventId?: string }) => remote.trigger(api, project, name, o)));
  connect(cli.command('send').description('send an alert payload to the intake').argument('<source>').argument('<file>'))
    .addOption(new Option('--env <env>', 'environment (default: the server\'s WOLFE_ENV)').argParser(environment))
    .action(act((api, source: string, file: string, o: { env?: string }) => remote.send(api, source, file, o.env)));
  connect(cli.command('executions').description('recent executions, newest first'))
    .option('--project <name>')
    .option('--runbook <name>')
    .option('--status <status>')
    .addOption(new Option('--env <env>').argParser(environment))
    .option('--limit <n>')
    .action(act((api, o: { project?: string; runbook?: string; status?: string; env?: string; limit?: string }) => remote.executions(api, o)));
  connect(cli.command('execution').description('one execution with its logs and steps').argument('<id>'))
    .action(act((api, id: string) => remote.execution(api, id)));
}

async function main(): Promise<void> {
  let code: number | null = null;
  try {
    await program((c) => (code = c)).parseAsync(process.argv);
  } catch (error) {
    if (error instanceof CommanderError) code = error.exitCode === 0 ? 0 : EXIT_USAGE;
    else throw error;
  }
  // Let the process end on its own once the sandbox is disposed: calling process.exit()
  // while isolated-vm's threads are still winding down a terminated isolate can crash the
  // process at teardown (seen under load as SIGSEGV). If something keeps the loop alive,
  // the unref'd timer exits anyway.
  process.exitCode = code ?? 0;
  setTimeout(() => process.exit(code ?? 0), 3000).unref();
}

void main();
