import js from '@eslint/js'
import reactHooks from 'eslint-plugin-react-hooks'
import globals from 'globals'
import tseslint from 'typescript-eslint'
import { builtinModules } from 'node:module'

const nodeBuiltins = [...builtinModules, ...builtinModules.map((name) => `node:${name}`)]

/** Browser-side code (renderer) and code both sides share may not reach Node or Electron. */
const noNodeOrElectron = {
  paths: [
    { name: 'electron', message: 'Only src/main and src/preload may import electron.' },
    ...nodeBuiltins.map((name) => ({ name, message: 'Node built-ins are not available to this code; keep it pure.' })),
  ],
  patterns: [
    {
      group: ['**/core/**', '**/main/**', '**/server/**', '**/emulator/**', '**/cli/**'],
      message: 'Reach the engine through the contract (src/shared), not by importing it.',
    },
  ],
}

/** Code that runs in plain Node, outside the desktop shell. */
const plainNode = {
  paths: [{ name: 'electron', message: 'Plain-Node code must not import electron.' }],
  patterns: [
    {
      group: ['**/main/**', '**/renderer/**', '**/preload/**'],
      message: 'Dependencies point inward: the engine does not know its shells.',
    },
  ],
}

/** Everything in the project that isn't shared code: the layers a library entry may not reach into. */
const projectLayers = [
  '**/core/**',
  '**/main/**',
  '**/server/**',
  '**/renderer/**',
  '**/preload/**',
  '**/emulator/**',
  '**/cli/**',
]

const ipcSelectors = [
  {
    selector: "ImportSpecifier[imported.name='ipcMain']",
    message: 'ipcMain is used only by the contract binding in src/main/ipc.ts.',
  },
  { selector: "ImportSpecifier[imported.name='ipcRenderer']", message: 'ipcRenderer is used only by the preload.' },
  { selector: "MemberExpression[property.name='ipcMain']", message: 'ipcMain is used only by the contract binding.' },
  { selector: "MemberExpression[property.name='ipcRenderer']", message: 'ipcRenderer is used only by the preload.' },
]

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', '.test-reports/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-restricted-syntax': ['error', ...ipcSelectors],
    },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': ['error', noNodeOrElectron],
    },
  },
  {
    // A slice names what it uses of other slices (SliceCreator's `Uses`); the store that assembles the
    // slices sits above them, so importing it from a slice would make a cycle.
    files: ['src/renderer/src/store/slices/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          ...noNodeOrElectron,
          patterns: [
            ...noNodeOrElectron.patterns,
            {
              group: ['**/app-store.ts', '**/app-store', '**/store/context.tsx', '**/selectors.ts'],
              message: 'Slices do not import the store that assembles them: name what you use in `Uses`.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          ...noNodeOrElectron,
          patterns: [
            {
              group: [
                '**/core/**',
                '**/main/**',
                '**/server/**',
                '**/renderer/**',
                '**/preload/**',
                '**/emulator/**',
                '**/cli/**',
              ],
              message: 'src/shared depends on nothing but zod: everything else depends on it.',
            },
          ],
        },
      ],
    },
  },
  {
    // The participant client carries these two into browsers as they are: they import nothing but each other.
    files: ['src/shared/channel-names.ts', 'src/shared/pusher-limits.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            ...noNodeOrElectron.paths,
            { name: 'zod', message: 'channel-names.ts and pusher-limits.ts ship to browsers: no dependencies.' },
          ],
          patterns: [
            {
              regex: '^(?!\\./(channel-names|pusher-limits)\\.ts$)',
              message: 'channel-names.ts and pusher-limits.ts ship to browsers: they import only each other.',
            },
          ],
        },
      ],
    },
  },
  {
    // The engine, web mode, emulator and CLI run in plain Node: importing electron there would try to
    // download its binary and tie the engine to the desktop shell.
    files: [
      'src/core/**/*.ts',
      'src/server/**/*.ts',
      'src/emulator/**/*.ts',
      'src/cli/**/*.ts',
      'tests/integration/**/*.ts',
    ],
    rules: { 'no-restricted-imports': ['error', plainNode] },
  },
  {
    // The engine connects to a demo crowd the shells start; it never starts the emulator itself.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          ...plainNode,
          patterns: [
            ...plainNode.patterns,
            {
              group: ['**/emulator/**', '**/emulator'],
              message: 'The engine does not depend on the emulator: a shell starts the demo and hands it in.',
            },
          ],
        },
      ],
    },
  },
  {
    // The participant client ships to browsers as it is, and is documented to depend on nothing but the
    // pusher-js its caller passes in: no Node, no other layer, and from shared code only the
    // dependency-free channel-name helpers at run time (types may come from anywhere in shared).
    files: ['src/participant/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            ...noNodeOrElectron.paths,
            { name: 'zod', message: 'The participant client carries no dependencies into the browser.' },
            {
              name: 'pusher-js',
              message: 'The caller passes its pusher-js client in: see PusherLike.',
              allowTypeImports: true,
            },
          ],
          patterns: [
            {
              group: [...projectLayers, '**/authorizer/**'],
              message: 'The participant client stands alone: it ships to browsers without the rest of Headcount.',
            },
            {
              group: ['**/shared/*', '!**/shared/channel-names.ts'],
              allowTypeImports: true,
              message:
                'At run time the participant client may use only shared/channel-names.ts (no zod in the browser).',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        ...['process', 'Buffer', 'global', 'require', 'module', '__dirname', '__filename', 'setImmediate'].map(
          (name) => ({ name, message: 'Node globals are not available in browsers.' }),
        ),
      ],
    },
  },
  {
    // The examples' pages run in a browser.
    files: ['examples/**/public/**/*.js'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // The authorizer runs in an app's Node server: shared code and the pusher SDK, never the engine or UI.
    files: ['src/authorizer/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'Plain-Node code must not import electron.' }],
          patterns: [
            {
              group: [...projectLayers, '**/participant/**'],
              message: 'The authorizer ships on its own in app servers: only shared code and the pusher SDK.',
            },
          ],
        },
      ],
    },
  },
  {
    // The two places raw IPC is allowed: the one binding in main, and the preload.
    files: ['src/main/ipc.ts'],
    rules: { 'no-restricted-syntax': ['error', ...ipcSelectors.filter((rule) => !rule.message.startsWith('ipcMain'))] },
  },
  {
    files: ['src/preload/**/*.ts'],
    rules: {
      'no-restricted-syntax': ['error', ...ipcSelectors.filter((rule) => !rule.message.startsWith('ipcRenderer'))],
    },
  },
  {
    // The sandboxed preload is bundled whole: checking a name against the contract itself would pull zod
    // and every schema into it. It gets the generated name lists instead; types cost nothing.
    files: ['src/preload/**/*.ts'],
    ignores: ['src/preload/**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'zod', message: 'The preload stays small: no zod.', allowTypeImports: true }],
          patterns: [
            {
              group: ['**/shared/*', '!**/shared/contract-names.ts', '!**/shared/ipc-channels.ts'],
              message: 'The preload imports only the generated contract-names.ts and ipc-channels.ts (types aside).',
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.test.ts', '**/*.test.tsx', 'tests/**/*.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
)
