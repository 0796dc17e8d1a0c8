import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { importLayersPlugin } from './scripts/eslint/layers.js';

// The layer table: for each folder, what it may import — other folders (layers) and packages
// (npm names; Node built-ins as 'node:x') — checked by `fleet/import-layers`
// (scripts/eslint/layers.js says how keys and entries read); anything unlisted fails lint.
// 'x/' is a folder and all under it, 'electron/*' the files directly in electron/, '*' the
// root's own files. `types`: packages it may take types from only (only electron/postgres/
// creates PostgreSQL clients, only electron/docker/ Docker ones); `private`: modules closed to
// other layers that do not name them. shared/ runs everywhere and imports no runtime; the UIs
// (renderer/, pos-shell/, ui-common/) import browser code only; each electron/ folder imports
// only the folders below it that it uses (lowest first, as listed), Node's general modules
// (`node` below; network and console ones where used); only electron/app/ imports 'electron'.
// Tested by tests/unit/import-layers.test.ts.
const node = ['node:buffer', 'node:crypto', 'node:events', 'node:fs', 'node:os', 'node:path', 'node:stream', 'node:url', 'node:util', 'node:zlib'];
const services = (folders, packages = [], types = []) => ({ folders: [...folders, 'shared/'], packages: [...node, ...packages], types });

export const layers = {
  'shared/': { folders: ['shared/pos/'], packages: ['zod'] },
  'shared/pos/': { folders: ['shared/'], packages: ['zod'] },
  'ui-common/': { folders: ['shared/', 'shared/pos/'], packages: ['react', 'react-dom'] },
  'renderer/': { folders: ['shared/', 'ui-common/'], packages: ['react', 'react-dom', '@tanstack/react-virtual'] },
  'pos-shell/': { folders: ['shared/', 'shared/pos/', 'ui-common/'], packages: ['react', 'react-dom', 'workbox-expiration', 'workbox-precaching', 'workbox-routing', 'workbox-strategies', 'workbox-window'] },

  'electron/common/': services([]),
  'electron/store/': services([], ['better-sqlite3']),
  'electron/secrets/': services(['electron/store/']),
  'electron/audit/': services(['electron/common/', 'electron/store/']),
  'electron/ssh/': services(['electron/common/'], ['ssh2']),
  'electron/docker/': services(['electron/ssh/'], ['dockerode', 'docker-modem', 'node:http', 'node:querystring']),
  'electron/postgres/': {
    ...services(['electron/ssh/'], ['pg']),
    private: { 'pg-over-ssh': 'connect through electron/postgres: withAdmin (cluster-level databases) or withTenantSession (inside a tenant database).' },
  },
  'electron/jobs/': services(['electron/common/', 'electron/store/']),
  'electron/hosts/': services(['electron/common/', 'electron/store/', 'electron/secrets/', 'electron/ssh/', 'electron/docker/', 'electron/postgres/', 'electron/jobs/'], ['zod'], ['dockerode']),
  'electron/coordination/': services(['electron/common/', 'electron/store/', 'electron/audit/', 'electron/ssh/', 'electron/postgres/', 'electron/hosts/'], [], ['pg']),
  // Tenant parts, Docker labels, TenantJobDeps, container helpers, health: what backup/ and tenants/ share.
  'electron/tenant-parts/': services(['electron/common/', 'electron/secrets/', 'electron/ssh/', 'electron/docker/', 'electron/postgres/', 'electron/jobs/', 'electron/hosts/'], [], ['dockerode', 'pg']),
  // The managed proxy (Caddy) of each host: its set-up job, its admin API, the tenants' routes.
  'electron/proxy/': services(['electron/common/', 'electron/ssh/', 'electron/docker/', 'electron/postgres/', 'electron/jobs/', 'electron/hosts/', 'electron/coordination/', 'electron/tenant-parts/'], ['zod', 'node:dns', 'node:net'], ['dockerode', 'pg']),
  'electron/backup/': services(['electron/common/', 'electron/store/', 'electron/secrets/', 'electron/ssh/', 'electron/docker/', 'electron/postgres/', 'electron/jobs/', 'electron/hosts/', 'electron/coordination/', 'electron/tenant-parts/', 'electron/proxy/'], ['zod'], ['dockerode', 'pg', 'ssh2']),
  'electron/tenants/': services(['electron/common/', 'electron/store/', 'electron/secrets/', 'electron/ssh/', 'electron/docker/', 'electron/postgres/', 'electron/jobs/', 'electron/hosts/', 'electron/coordination/', 'electron/tenant-parts/', 'electron/proxy/', 'electron/backup/'], ['zod'], ['dockerode', 'pg']),
  'electron/api/': services(['electron/common/', 'electron/secrets/', 'electron/audit/', 'electron/jobs/', 'electron/hosts/', 'electron/coordination/', 'electron/proxy/', 'electron/backup/', 'electron/tenants/'], ['ws', 'zod', 'node:http']),
  'electron/pos/': services(['shared/pos/', 'electron/common/', 'electron/store/', 'electron/secrets/', 'electron/audit/', 'electron/api/'], ['zod', 'node:http', 'node:https', 'node:net'], ['better-sqlite3']),
  // Composition: the console wired once, the web modes.
  'electron/*': services(
    ['electron/common/', 'electron/store/', 'electron/secrets/', 'electron/audit/', 'electron/ssh/', 'electron/docker/', 'electron/jobs/', 'electron/hosts/', 'electron/coordination/', 'electron/tenant-parts/', 'electron/proxy/', 'electron/backup/', 'electron/tenants/', 'electron/api/', 'electron/pos/'],
  ),
  // `odoo-fleet`: above the composition, as its context opens the console's services.
  'electron/cli/': services(['shared/pos/', 'electron/common/', 'electron/jobs/', 'electron/pos/', 'electron/*'], ['commander', 'cli-progress', 'node:readline']),
  // The Electron faces: the only layer that imports 'electron'.
  'electron/app/': services(['electron/common/', 'electron/api/', 'electron/pos/', 'electron/*'], ['electron', 'electron-updater']),

  'tests/': {
    folders: ['shared/', 'shared/pos/', 'ui-common/', 'renderer/', 'pos-shell/', 'scripts/',
      'electron/common/', 'electron/store/', 'electron/secrets/', 'electron/audit/', 'electron/ssh/', 'electron/docker/', 'electron/postgres/', 'electron/postgres/pg-over-ssh', 'electron/jobs/', 'electron/hosts/', 'electron/coordination/', 'electron/tenant-parts/', 'electron/proxy/', 'electron/backup/', 'electron/tenants/', 'electron/pos/', 'electron/api/', 'electron/cli/', 'electron/*', 'electron/app/'],
    packages: ['node:*', 'vitest', 'playwright-core', 'fast-check', 'pg', 'dockerode', 'docker-modem', 'ssh2', 'ws', 'better-sqlite3', 'eslint'],
  },
  'bench/': {
    folders: ['shared/', 'tests/', 'scripts/', 'electron/common/', 'electron/docker/', 'electron/postgres/', 'electron/postgres/pg-over-ssh', 'electron/tenant-parts/', 'electron/proxy/', 'electron/tenants/', 'electron/pos/', 'electron/api/', 'electron/*'],
    packages: ['node:*', 'dockerode'],
    types: ['pg'],
  },
  'scripts/': { folders: [], packages: ['node:*', 'esbuild', '@electron/fuses', 'pg', 'typescript'] },
  'bin/': { folders: [], packages: ['node:*'] },
  // The root's own files: this config, vite.config.ts, vitest.config.ts.
  '*': { folders: ['scripts/', 'shared/'], packages: ['node:*', '@eslint/js', 'typescript-eslint', 'globals', 'vite', '@vitejs/plugin-react', 'esbuild', 'vitest'] },
};

const functionLength = { max: 150, skipBlankLines: true, skipComments: true };
// Functions allowed past 150 lines, each with its size today and why. ESLint's rule cannot name a
// function, so an entry raises its file's limit to that size: the function cannot grow unnoticed.
// Empty, and best kept so.
/** @type {{ file: string, function: string, lines: number, reason: string }[]} */
const longFunctions = [];

export default tseslint.config(
  // tests/fixtures/import-layers/ holds fixtures the layer test lints as if they sat elsewhere.
  { ignores: ['dist/**', 'release/**', 'node_modules/**', '.testbed/**', 'tests/fixtures/import-layers/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    plugins: { fleet: importLayersPlugin({ root: import.meta.dirname, layers }) },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'fleet/import-layers': 'error',
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}', 'pos-shell/**/*.{ts,tsx}', 'ui-common/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // No function over 150 lines in the product: past that, a function does several jobs.
    files: ['electron/**/*.{ts,tsx}', 'renderer/**/*.{ts,tsx}', 'pos-shell/**/*.{ts,tsx}', 'ui-common/**/*.{ts,tsx}', 'shared/**/*.{ts,tsx}'],
    rules: { 'max-lines-per-function': ['error', functionLength] },
  },
  ...longFunctions.map(({ file, lines }) => ({ files: [file], rules: { 'max-lines-per-function': ['error', { ...functionLength, max: lines }] } })),
);
