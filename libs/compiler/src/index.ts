export { compileRunbook, scriptFilename, ENTRY_FILE, type CompileInput, type CompileResult } from './compile';
export { RUNBOOK_GLOBAL } from './runtime';
