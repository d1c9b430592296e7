import { join } from 'node:path'
import { ensureWebUi } from '../../src/cli/web-ui-build.ts'

/**
 * Builds the web UI once, before any test, if it is missing or older than its sources: every test
 * starts its own `headcount serve`, which would otherwise build it inside the first test's time.
 */
export default async function globalSetup(): Promise<void> {
  await ensureWebUi(join(import.meta.dirname, '..', '..'), (line) => console.log(`e2e setup: ${line}`))
}
