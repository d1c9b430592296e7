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
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.test.ts', '**/*.test.tsx', 'tests/**/*.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
)
