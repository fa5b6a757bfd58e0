// ESLint (flat config): typescript-eslint, Lit and web-component rules, Prettier for layout, and the
// import rules that keep the architecture's arrows (docs/architecture.md):
//   elements -> core -> protocol;  server -> protocol;
//   never core -> elements, components -> server, elements -> socket.io-client, ice -> rooms.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import lit from 'eslint-plugin-lit';
import wc from 'eslint-plugin-wc';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** `no-restricted-imports` with these patterns (relative paths are matched as written). */
const forbid = (...patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });

const SERVER_FROM_COMPONENTS = {
  group: ['**/server/**', 'express', 'socket.io', 'twilio', 'redis', 'pino', 'zod'],
  message: 'components/ runs in browsers: it imports protocol/ types, never server code or server libraries.',
};
const NODE_BUILTINS = { group: ['node:*'], message: 'Browser code has no Node built-ins.' };
const SOCKET_IO = {
  group: ['socket.io-client'],
  message: 'Only components/core/signaling-client.ts sees socket.io-client; use SignalingClient.',
};
const ELEMENTS_FROM_CORE = {
  group: ['**/internal/**', '**/rtc-*/**', 'lit', 'lit/**', '@lit/**', '@lit-labs/**'],
  message: 'core/ is DOM-free and knows no elements: elements depend on core, not the reverse.',
};

export default tseslint.config(
  { ignores: ['dist/**', 'server/dist/**', 'node_modules/**', 'examples/**/dist/**', 'coverage/**', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Casts at trust boundaries are reviewed by hand; `any` is still refused.
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-control-regex': 'off', // the protocol's schemas match control characters on purpose
      // `class X extends EventTarget` + `interface X { addEventListener<K>... }` types the events.
      '@typescript-eslint/no-unsafe-declaration-merging': 'off',
    },
  },
  // Elements: Lit and web-component rules.
  {
    files: ['components/**/*.ts'],
    ...lit.configs['flat/recommended'],
  },
  {
    files: ['components/**/*.ts'],
    ...wc.configs['flat/recommended'],
  },
  // The arrows.
  {
    files: ['protocol/**/*.ts'],
    rules: forbid({
      group: ['../*', 'node:*'],
      message: 'protocol/ is shared: it imports nothing from components/ or server/, and no Node built-ins.',
    }),
  },
  {
    files: ['components/**/*.ts'],
    ignores: ['components/**/*.test.ts', 'components/test-support/**'],
    rules: forbid(SERVER_FROM_COMPONENTS, NODE_BUILTINS, SOCKET_IO),
  },
  {
    files: ['components/core/**/*.ts'],
    ignores: ['components/core/**/*.test.ts', 'components/core/signaling-client.ts'],
    rules: forbid(SERVER_FROM_COMPONENTS, NODE_BUILTINS, SOCKET_IO, ELEMENTS_FROM_CORE),
  },
  {
    files: ['components/core/signaling-client.ts'],
    rules: forbid(SERVER_FROM_COMPONENTS, NODE_BUILTINS, ELEMENTS_FROM_CORE),
  },
  {
    files: ['server/**/*.ts'],
    rules: forbid({ group: ['**/components/**'], message: 'The server never imports browser code.' }),
  },
  {
    files: ['server/ice/**/*.ts'],
    ignores: ['server/ice/**/*.test.ts'],
    rules: forbid(
      { group: ['**/components/**'], message: 'The server never imports browser code.' },
      { group: ['../rooms/**', '**/rooms/**'], message: 'ICE providers know nothing of rooms.' },
    ),
  },
  // Tests may use what they need to reach the thing under test.
  {
    files: ['**/*.test.ts', '**/test-support/**', 'web-test-runner.config.js'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-expressions': 'off', // chai: expect(x).to.be.true
    },
  },
  prettier,
);
