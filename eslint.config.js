import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

// Layers by runtime, as VS Code and Signal enforce them:
//  shared/      the contract and domain types: no Node, DOM-specific or Electron imports
//  renderer/, pos-shell/   UIs: shared/ and browser libraries only, never electron/ or Node
//  electron/    services in plain Node; only electron/app/** may import 'electron'
const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'child_process', 'net', 'http', 'https', 'crypto', 'stream', 'events', 'url', 'util', 'tls', 'dns', 'zlib', 'readline', 'worker_threads'];
const nodeBuiltinPatterns = nodeBuiltins.map((name) => ({ group: [name, `${name}/*`], message: 'Node modules are not available here.' }));

const serviceLayerPatterns = [
  { group: ['electron', 'electron/*'], message: "Only electron/app/** may import 'electron': services run in plain Node." },
  { group: ['**/renderer/**', '**/pos-shell/**'], message: 'Services never import UI code.' },
];

// Tenant isolation in the code's shape: only electron/postgres/ opens connections, and its API
// gives an admin session on cluster-level databases only, a tenant's database only as the tenant.
const postgresBoundary = {
  patterns: [
    { group: ['**/postgres/pg-over-ssh*'], message: 'Connect through electron/postgres: withAdmin (cluster-level databases) or withTenantSession (inside a tenant database).' },
  ],
  paths: [{ name: 'pg', allowTypeImports: true, message: "Only electron/postgres/ creates PostgreSQL clients; import pg's types only." }],
};

export default tseslint.config(
  { ignores: ['dist/**', 'release/**', 'node_modules/**', '.testbed/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...nodeBuiltinPatterns,
            { group: ['electron', 'electron/*'], message: 'shared/ runs everywhere: no Electron.' },
            { group: ['**/electron/**', '../electron/*', '**/renderer/**', '**/pos-shell/**'], message: 'shared/ imports nothing from the runtimes.' },
            { group: ['ws', 'ssh2', 'dockerode', 'pg', 'better-sqlite3', 'react', 'react-dom'], message: 'shared/ holds only runtime-free code.' },
          ],
        },
      ],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}', 'pos-shell/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...nodeBuiltinPatterns,
            { group: ['electron', 'electron/*'], message: 'The UI reaches the services through the Api only.' },
            { group: ['**/electron/**', '../electron/*', '../../electron/*'], message: 'The UI never imports the services (electron/).' },
            { group: ['ws', 'ssh2', 'dockerode', 'pg', 'better-sqlite3'], message: 'Node-only library in the UI.' },
          ],
        },
      ],
    },
  },
  {
    files: ['electron/**/*.ts'],
    ignores: ['electron/app/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [...serviceLayerPatterns, ...postgresBoundary.patterns], paths: postgresBoundary.paths }],
    },
  },
  {
    // The one module that logs in to PostgreSQL, and decides as whom (see its README).
    files: ['electron/postgres/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: serviceLayerPatterns }],
    },
  },
);
