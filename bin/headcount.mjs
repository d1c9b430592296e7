#!/usr/bin/env node
// Headcount's command line. In a checkout it runs the TypeScript sources (src/cli) through Node's type
// stripping, so an edit takes effect at once and nothing can be stale; the npm package has no sources
// (Node will not strip types under node_modules anyway) and runs the bundle built at pack time,
// out/cli/main.js. Either way it needs Node 22.18 or newer (built-in node:sqlite).
import { existsSync } from 'node:fs'
import { setFlagsFromString } from 'node:v8'

const engineCommand = process.argv[2] === 'serve' || process.argv[2] === 'snapshot'

// serve and snapshot keep a million people's presence in large blocks of memory: glibc's malloc is told,
// as the process starts, to keep giving such blocks their own mappings, or a first sync peaks higher
// (src/core/malloc-tuning.ts says why). Where the variable isn't set, the process restarts itself in
// place with it, before anything else runs.
if (engineCommand && process.platform === 'linux' && process.env.MALLOC_MMAP_THRESHOLD_ === undefined) {
  process.execve?.(process.execPath, [process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
    ...process.env,
    MALLOC_MMAP_THRESHOLD_: '131072',
  })
}

// serve and snapshot run a first sync: V8's young generation stops growing before their modules load
// (serve's monitor lets it grow again once its first sync is stored), which keeps a first sync of a
// million people about 20 MB lower at its peak. src/core/young-generation.ts says why and how.
if (engineCommand) setFlagsFromString('--semi-space-growth-factor=1')

const sources = new URL('../src/cli/main.ts', import.meta.url)
const bundle = new URL('../out/cli/main.js', import.meta.url)
const checkout = existsSync(sources)

const [major, minor] = process.versions.node.split('.').map(Number)
if (major < 22 || (major === 22 && minor < 18)) {
  const hint = checkout ? 'run it through npm, which uses the pinned Node 24' : 'install a newer Node.js'
  console.error(`headcount: Node ${process.versions.node} is too old; Headcount needs Node 22.18 or newer (${hint})`)
  process.exit(1)
}
if (!checkout && !existsSync(bundle)) {
  console.error('headcount: this installation has neither src/cli nor out/cli/main.js; reinstall the package')
  process.exit(1)
}
const { main, dropOutputOnceReaderLeaves } = await import(checkout ? sources.href : bundle.href)
dropOutputOnceReaderLeaves(process.stdout)
dropOutputOnceReaderLeaves(process.stderr)
process.exitCode = await main(process.argv.slice(2))
