// Two kinds of tests, one runner (twenty's split): `*.spec.ts` are unit tests of pure
// logic; `*.integration-spec.ts` run against the real thing (sqlite files, git repos,
// isolated-vm, HTTP servers, Chromium). `npm test` runs both.
import { readFileSync } from 'node:fs';
import type { Config } from 'jest';

const base = JSON.parse(readFileSync(new URL('./tsconfig.base.json', import.meta.url), 'utf8'));
const paths: Record<string, string[]> = base.compilerOptions.paths;
const moduleNameMapper = Object.fromEntries(
  Object.entries(paths).map(([alias, targets]) => [
    `^${alias.replace('/', '\\/')}$`,
    `<rootDir>/${(targets[0] ?? '').replace(/^\.\//, '')}`,
  ]),
);
const transform: Config['transform'] = {
  '^.+\\.tsx?$': [
    '@swc/jest',
    {
      jsc: {
        parser: { syntax: 'typescript', decorators: true, tsx: true },
        transform: { legacyDecorator: true, decoratorMetadata: true, react: { runtime: 'automatic' } },
        target: 'es2023',
      },
      module: { type: 'commonjs' },
      sourceMaps: 'inline',
    },
  ],
};
const common = { rootDir: '.', transform, moduleNameMapper, testEnvironment: 'node', modulePathIgnorePatterns: ['<rootDir>/dist', '<rootDir>/tmp'] };

const config: Config = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts'] },
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/{apps,libs}/**/*.integration-spec.ts'], slowTestThreshold: 30 },
  ],
};
export default config;
