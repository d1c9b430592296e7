import { resolve } from 'node:path'
import { defineConfig } from 'vite'
import { isRuntimeImport } from './scripts/lib/runtime-imports.ts'

// The `headcount` command as one plain-JS ES module, out/cli/main.js, for the npm package: Node does
// not strip types from files under node_modules, so an installed package cannot run src/cli/*.ts.
// Runtime `dependencies` and Node's built-ins stay imports; everything of ours is bundled.

export default defineConfig({
  build: {
    ssr: resolve(import.meta.dirname, 'src/cli/main.ts'),
    outDir: resolve(import.meta.dirname, 'out/cli'),
    emptyOutDir: true,
    target: 'node22',
    minify: false,
    sourcemap: false,
    rollupOptions: {
      external: isRuntimeImport,
      // One file still: the commands main.ts imports on demand are inlined (paths found from
      // import.meta.url stay right).
      output: { format: 'es', entryFileNames: 'main.js', codeSplitting: false },
    },
  },
  ssr: { target: 'node', noExternal: true },
})
