import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { GENERATED_FILE, generatedModule, REGENERATE_COMMAND, SDK_SOURCE_FILE, sdkDeclarations } from './sdk-declarations';

const root = resolve(__dirname, '../../../..');

describe('the SDK declarations shipped with the server', () => {
  it(`match ${SDK_SOURCE_FILE} (regenerate with: ${REGENERATE_COMMAND})`, () => {
    const expected = generatedModule(sdkDeclarations(readFileSync(resolve(root, SDK_SOURCE_FILE), 'utf8')));
    const path = resolve(root, GENERATED_FILE);
    if (process.env['WOLFE_UPDATE_SDK_DECLARATIONS'] === '1') writeFileSync(path, expected);
    const actual = readFileSync(path, 'utf8');
    if (actual !== expected) throw new Error(`${GENERATED_FILE} is out of date with ${SDK_SOURCE_FILE}; regenerate it:\n  ${REGENERATE_COMMAND}`);
  });

  it('declare the runbook() helper and the context', () => {
    const d = sdkDeclarations(readFileSync(resolve(root, SDK_SOURCE_FILE), 'utf8'));
    expect(d).toContain('export declare function runbook<');
    expect(d).toContain('export interface RunbookContext');
  });
});
