#!/usr/bin/env node
// Headcount's command line. The sources are TypeScript run directly by Node's type stripping,
// which needs Node 22.18 or newer (npm scripts use the Node 24 pinned in devDependencies).
const [major, minor] = process.versions.node.split('.').map(Number)
if (major < 22 || (major === 22 && minor < 18)) {
  console.error(
    `headcount: Node ${process.versions.node} is too old; Headcount needs Node 22.18 or newer (run it through npm, which uses the pinned Node 24)`,
  )
  process.exit(1)
}
const { main } = await import('../src/cli/main.ts')
process.exitCode = await main(process.argv.slice(2))
