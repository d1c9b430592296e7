import { builtinModules } from 'node:module'
import { resolve } from 'node:path'
import { defineConfig } from 'vite'
import pkg from './package.json' with { type: 'json' }

// The `headcount` command as one plain-JS ES module, out/cli/main.js, for the npm package: Node does
// not strip types from files under node_modules, so an installed package cannot run src/cli/*.ts.
// Runtime `dependencies` and Node's built-ins stay imports; everything of ours is bundled.
const external = new Set([...Object.keys(pkg.dependencies), ...builtinModules])

/** `zod/v4` -> `zod`, `@scope/name/x` -> `@scope/name`. */
function packageName(id: string): string {
  const parts = id.split('/')
  return (id.startsWith('@') ? parts.slice(0, 2) : parts.slice(0, 1)).join('/')
}

export default defineConfig({
  build: {
    ssr: resolve(import.meta.dirname, 'src/cli/main.ts'),
    outDir: resolve(import.meta.dirname, 'out/cli'),
    emptyOutDir: true,
    target: 'node22',
    minify: false,
    sourcemap: false,
    rollupOptions: {
      external: (id) => id.startsWith('node:') || external.has(packageName(id)),
      // One file still: the commands main.ts imports on demand are inlined (paths found from
      // import.meta.url stay right).
      output: { format: 'es', entryFileNames: 'main.js', codeSplitting: false },
    },
  },
  ssr: { target: 'node', noExternal: true },
})
