// Lint = module boundaries first. The tags in each project.json say what a project is;
// these constraints say what it may import. See docs/architecture.md "Boundaries".
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

const engines = ['isolated-vm', 'mongodb', 'simple-git', 'esbuild', '@aws-sdk/*', 'sqs-consumer'];
const frameworks = ['@nestjs/*', 'express', 'pino', 'next', 'next/*', 'react', 'react-dom', 'commander'];
const allExcept = (keep) => engines.filter((e) => !keep.includes(e));

export default [
  { ignores: ['**/node_modules', '**/dist', '**/tmp', '**/.next', '**/out', '**/.nx', 'apps/studio/next-env.d.ts', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  ...tseslint.configs.recommended,
  { plugins: { '@nx': nx } },
  {
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:sdk', onlyDependOnLibsWithTags: [], bannedExternalImports: [...engines, ...frameworks] },
            { sourceTag: 'type:contract', onlyDependOnLibsWithTags: ['type:domain'], bannedExternalImports: [...engines, ...frameworks] },
            { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:domain'], bannedExternalImports: [...engines, ...frameworks] },
            { sourceTag: 'type:application', onlyDependOnLibsWithTags: ['type:domain', 'type:contract'], bannedExternalImports: [...engines, ...frameworks] },
            { sourceTag: 'type:adapter', onlyDependOnLibsWithTags: ['type:domain', 'type:application', 'type:sdk', 'type:testing'], bannedExternalImports: frameworks },
            { sourceTag: 'engine:isolated-vm', bannedExternalImports: allExcept(['isolated-vm']) },
            { sourceTag: 'engine:sqlite', bannedExternalImports: allExcept([]) },
            { sourceTag: 'engine:mongodb', bannedExternalImports: allExcept(['mongodb']) },
            { sourceTag: 'engine:git', bannedExternalImports: allExcept(['simple-git']) },
            { sourceTag: 'engine:esbuild', bannedExternalImports: allExcept(['esbuild']) },
            { sourceTag: 'engine:sqs', bannedExternalImports: allExcept(['@aws-sdk/*', 'sqs-consumer']) },
            { sourceTag: 'engine:egress', bannedExternalImports: allExcept([]) },
            { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:domain', 'type:application', 'type:contract', 'type:testing'], bannedExternalImports: frameworks },
            { sourceTag: 'type:ui', onlyDependOnLibsWithTags: ['type:contract', 'type:sdk'], bannedExternalImports: engines },
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:domain', 'type:application', 'type:contract', 'type:adapter', 'type:sdk', 'type:testing'], bannedExternalImports: ['isolated-vm', 'mongodb', 'simple-git', 'esbuild'] },
          ],
        },
      ],
    },
  },
  {
    // Pure layers: no I/O. Node built-ins are the edge's business.
    files: ['libs/{events,matchers,router,runbooks,sources,sdk,api-types,application}/src/**/*.ts'],
    ignores: ['**/*.spec.ts', '**/*.integration-spec.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['node:*', 'fs', 'fs/*', 'child_process', 'net', 'http', 'https', 'os', 'path'], message: 'Domain and application code does no I/O: take a port (interface) instead, and implement it in an adapter lib.' }] }],
    },
  },
  {
    // Only the sqlite adapter may open node:sqlite.
    files: ['**/*.ts', '**/*.tsx'],
    ignores: ['libs/store-sqlite/**'],
    rules: { 'no-restricted-syntax': ['error', { selector: "ImportDeclaration[source.value='node:sqlite']", message: 'Only libs/store-sqlite imports node:sqlite.' }] },
  },
];
