// An engine over a real data folder, as `headcount serve` keeps one, and what the folder holds: for tests
// of what the engine writes, keeps and removes on disk.
import { readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { Engine, type EngineOptions } from '../../../src/core/engine.ts'
import { silentLogger } from '../../../src/core/logger.ts'
import { FileSecretStore } from '../../../src/core/secret-store.ts'
import { FileSettingsStore } from '../../../src/core/settings-store.ts'

/** An engine over `dataDir`, its settings and secrets in files; `options` adds to or replaces the rest. */
export function engineOverDataDir(dataDir: string, options: Partial<EngineOptions> = {}): Engine {
  const logger = options.logger ?? silentLogger
  return new Engine({
    version: '0.0.0-test',
    runtime: 'web',
    dataDir,
    settings: new FileSettingsStore(join(dataDir, 'settings.json'), logger),
    secrets: new FileSecretStore(join(dataDir, 'secrets.json'), logger),
    demo: null,
    logger,
    ...options,
  })
}

/** Every file under `dir`, relative to it, sorted. */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((entry) => statSync(join(dir, entry)).isFile())
    .map((entry) => relative(dir, join(dir, entry)))
    .sort()
}
