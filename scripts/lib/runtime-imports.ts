// Which imports a bundle of ours leaves to Node at run time: its built-ins and the package's runtime
// `dependencies`. Shared by the CLI's build (vite.cli.config.ts) and the benchmark that runs the engine
// as shipped (bench-pipeline.ts), so both bundle alike.
import { builtinModules } from 'node:module'
import pkg from '../../package.json' with { type: 'json' }

const external = new Set([...Object.keys(pkg.dependencies), ...builtinModules])

/** `zod/v4` -> `zod`, `@scope/name/x` -> `@scope/name`. */
function packageName(id: string): string {
  const parts = id.split('/')
  return (id.startsWith('@') ? parts.slice(0, 2) : parts.slice(0, 1)).join('/')
}

export function isRuntimeImport(id: string): boolean {
  return id.startsWith('node:') || external.has(packageName(id))
}
