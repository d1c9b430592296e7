// Refreshes the README's pictures of the console: runs the end-to-end journeys (which take their
// screenshots into test-results/screenshots/, never into the repository) and copies them into
// docs/screenshots/. The demo pictures, taken after minutes of history, come from
// `npm run screenshots:demo` instead.
//
//   npm run screenshots
import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs'
import { join } from 'node:path'

const root = join(import.meta.dirname, '..')
const taken = join(root, 'test-results', 'screenshots')
const docs = join(root, 'docs', 'screenshots')

const run = spawnSync(join(root, 'node_modules', '.bin', 'playwright'), ['test', '--project', 'web'], {
  cwd: root,
  stdio: 'inherit',
})
if (run.status !== 0) {
  console.error('screenshots: the end-to-end tests failed; docs/screenshots is left as it was')
  process.exit(1)
}
const pictures = existsSync(taken) ? readdirSync(taken).filter((name) => name.endsWith('.png')) : []
if (pictures.length === 0) {
  console.error(`screenshots: the tests passed but wrote no picture into ${taken}`)
  process.exit(1)
}
mkdirSync(docs, { recursive: true })
for (const name of pictures.sort()) copyFileSync(join(taken, name), join(docs, name))
console.log(`screenshots: copied ${pictures.length} pictures into docs/screenshots: ${pictures.join(', ')}`)
