// Flat config: typescript-eslint's recommended rules over every TypeScript file we own, the
// import directions of DESIGN.md, and no focused tests.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';

// Which package may import which (DESIGN.md, "Imports point one way"). A package not listed as a
// key imports none of the others. Folders that do not exist yet are listed so the rule holds the
// day they land. Every import of another package goes through its index.ts (tests and benchmarks
// may also use its testing.ts). test/ may import anything; nothing imports control-plane or infra.
const PLATFORM = ['sdk', 'runtime', 'control-plane', 'pulsar', 'pulsar-admin', 'regions', 'observability'].map((p) => `platform/${p}`);
const PACKAGES = ['functions', 'tenants', 'infra', ...PLATFORM];
const MAY_IMPORT = {
  functions: ['platform/sdk'],
  'platform/runtime': ['platform/sdk', 'platform/pulsar', 'platform/regions', 'platform/observability'],
  'platform/control-plane': ['platform/pulsar-admin', 'platform/pulsar', 'platform/regions', 'platform/observability'],
  'platform/regions': ['platform/pulsar-admin'],
  // The top floor: the local stack, npm start and the benchmarks use the platform.
  infra: PLATFORM,
};
// Tests may reach what their package may, through index.ts or testing.ts; the tenant spec test
// also checks the specs against the control plane they are written for, and the bundles they
// name against the SDK.
const TESTS_MAY_ALSO_IMPORT = { tenants: ['platform/control-plane', 'platform/sdk'] };
const TEST_FILES = ['**/*.test.ts', '**/*.test-support.ts'];

function zones({ tests }) {
  const result = [];
  for (const target of PACKAGES) {
    const allowed = new Set([...(MAY_IMPORT[target] ?? []), ...(tests ? TESTS_MAY_ALSO_IMPORT[target] ?? [] : [])]);
    // Benchmarks are tests' kin: they may use a package's testing entry too.
    const entries = tests || target === 'infra' ? ['./index.ts', './testing.ts'] : ['./index.ts'];
    for (const from of [...PACKAGES, 'test']) {
      if (from === target) continue;
      result.push(allowed.has(from)
        ? { target, from, except: entries, message: `enter ${from} through ${entries.map((e) => e.slice(2)).join(' or ')}, not its internals.` }
        : { target, from, message: `${target} may not import ${from}: imports point one way (DESIGN.md; the table in eslint.config.js).` });
    }
  }
  return result;
}

const basePath = import.meta.dirname;

export default tseslint.config(
  { ignores: ['node_modules/**', '.lodestar/**', 'coverage/**', '**/*.generated.*'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Plain .mjs scripts run on Node: its globals are defined there (TypeScript files get them from @types/node).
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { console: 'readonly', process: 'readonly' } },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['**/*.ts', '**/*.mjs'],
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.mjs', '.js'] })] },
  },
  {
    files: ['**/*.ts', '**/*.mjs'],
    ignores: ['test/**', ...TEST_FILES],
    rules: { 'import-x/no-restricted-paths': ['error', { basePath, zones: zones({ tests: false }) }] },
  },
  {
    files: TEST_FILES,
    ignores: ['test/**'],
    rules: { 'import-x/no-restricted-paths': ['error', { basePath, zones: zones({ tests: true }) }] },
  },
  {
    // A focused test makes the rest of its file skip silently: CI would pass on tests that did not run.
    files: ['**/*.ts'],
    rules: {
      'no-restricted-properties': ['error',
        ...['describe', 'suite', 'it', 'test', 'bench'].map((object) => ({ object, property: 'only', message: 'focused tests skip the others; remove .only before committing.' }))],
    },
  },
);
