export { eventFromPayload, NORMALIZED_EVENT_FIELDS, type EventResult } from './event';
export { testRun, type MatchEgressTarget, type TestRun } from './fakes';
export { codeFrame, formatError, formatMs } from './format';
export { compareJson, show } from './match';
export {
  checkTest,
  execute,
  runRunbookTests,
  runTestFile,
  type Execution,
  type ExecutionObserver,
  type LoadedRunbook,
  type RunbookTestDeps,
  type TestCaseOutcome,
  type TestProblem,
} from './run';
export { loadTest, RESERVED_FIELDS, testFiles, type LoadedTest, type ReadOutside, type RecordedResponse, type RunbookTest, type TestExpectation } from './testfile';
