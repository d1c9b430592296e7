import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

/** Each connection keeps its own history file, so two apps' rooms never mix. */
export function historyDir(dataDir: string): string {
  return join(dataDir, 'history')
}

export function historyPathFor(dataDir: string, profileId: string): string {
  return join(historyDir(dataDir), `${profileId}.sqlite`)
}

export interface HistoryFileEntry {
  id: string
  name: string | null
  path: string
}

/** The history files in a data folder, named after their connection where settings.json knows it. */
export function listHistoryFiles(dataDir: string): HistoryFileEntry[] {
  const dir = historyDir(dataDir)
  if (!existsSync(dir)) return []
  const names = new Map<string, string>()
  try {
    const settings = JSON.parse(readFileSync(join(dataDir, 'settings.json'), 'utf8')) as {
      profiles?: { id?: unknown; name?: unknown }[]
    }
    for (const profile of settings.profiles ?? []) {
      if (typeof profile.id === 'string' && typeof profile.name === 'string') names.set(profile.id, profile.name)
    }
  } catch {
    // No or unreadable settings: the files are still listed, by id.
  }
  return readdirSync(dir)
    .filter((file) => file.endsWith('.sqlite'))
    .map((file) => {
      const id = file.slice(0, -'.sqlite'.length)
      return { id, name: names.get(id) ?? null, path: join(dir, file) }
    })
    .sort((a, b) => (a.name ?? a.id).localeCompare(b.name ?? b.id))
}
