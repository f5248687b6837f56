import ts from 'typescript';

/** Where the generated module lives, relative to the repository root. */
export const GENERATED_FILE = 'apps/server/src/lifecycle/sdk-declarations.generated.ts';
export const SDK_SOURCE_FILE = 'libs/sdk/src/index.ts';
export const REGENERATE_COMMAND = `WOLFE_UPDATE_SDK_DECLARATIONS=1 NODE_OPTIONS=--no-node-snapshot npx jest apps/server/src/lifecycle/sdk-declarations.spec.ts`;

/**
 * The `.d.ts` of @wolfe/sdk, made from its source with TypeScript's isolated declaration emit
 * (the SDK has explicit types on every export, so no program is needed).
 */
export function sdkDeclarations(source: string): string {
  const out = ts.transpileDeclaration(source, { fileName: 'index.ts', reportDiagnostics: true, compilerOptions: { target: ts.ScriptTarget.ES2023, stripInternal: true } });
  const errors = (out.diagnostics ?? []).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  if (errors.length > 0) throw new Error(`cannot emit the SDK's declarations: ${errors.join('; ')}`);
  return out.outputText;
}

/** The generated module's text for a declaration text. */
export function generatedModule(declarations: string): string {
  return [
    `// GENERATED from ${SDK_SOURCE_FILE}: the declarations runbooks are type-checked against`,
    '// (promotion gate "typecheck", and loading). Do not edit. sdk-declarations.spec.ts fails when',
    `// the SDK changed without regenerating; regenerate with:`,
    `//   ${REGENERATE_COMMAND}`,
    `export const SDK_DECLARATIONS: string = ${JSON.stringify(declarations)};`,
    '',
  ].join('\n');
}
