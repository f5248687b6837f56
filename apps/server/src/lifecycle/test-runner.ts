import type { RunbookSandbox, RunbookTestCaseResult, RunbookTestRunner } from '@wolfe/application';
import { matchTarget } from '@wolfe/egress';
import { runRunbookTests } from '@wolfe/runbook-tests';

/**
 * The promotion `tests` gate's runner: the same runner as `wolfe test` (@wolfe/runbook-tests),
 * over the promoted version's folder (files from the source branch), in the server's sandbox,
 * with the tests' fakes (no real secret, state, http or emit is touched). A test file that does
 * not load counts as a failed case.
 */
export class SandboxTestRunner implements RunbookTestRunner {
  constructor(private readonly sandbox: RunbookSandbox) {}

  async run(input: Parameters<RunbookTestRunner['run']>[0]): Promise<{ files: number; cases: RunbookTestCaseResult[] }> {
    const report = await runRunbookTests(
      { name: input.name, manifest: input.manifest, compiled: input.compiled, files: input.files, ...(input.version === undefined ? {} : { version: input.version }) },
      { sandbox: this.sandbox, matchTarget },
    );
    return {
      files: report.files.length,
      cases: report.cases.map((c) => ({
        name: c.name,
        file: c.file,
        line: c.line,
        passed: c.passed,
        message: c.passed ? null : c.problems.map((p) => p.text.trim()).slice(0, 3).join(' / '),
      })),
    };
  }
}
