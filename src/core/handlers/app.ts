import type { AppInfo } from '../../shared/app-info.ts'
import { ApiError } from '../../shared/envelope.ts'
import { applySettingsPatch, type Settings, type SettingsPatch } from '../../shared/settings.ts'
import type { EngineContext, HandlerGroup } from './context.ts'

/** What the app is, its status, and its settings. */
export function appHandlers(
  context: EngineContext,
): HandlerGroup<'app.info' | 'status.get' | 'settings.get' | 'settings.update'> {
  const { options, connection, events } = context
  return {
    'app.info': async (): Promise<AppInfo> => ({
      name: 'Headcount',
      version: options.version,
      runtime: options.runtime,
      nodeVersion: process.versions.node,
      electronVersion: options.electronVersion ?? null,
      platform: `${process.platform} ${process.arch}`,
      dataDir: options.dataDir,
      secretStorage: await options.secrets.describe(),
    }),
    'status.get': () => connection.status,
    'settings.get': () => options.settings.read(),
    'settings.update': (patch: SettingsPatch): Settings => {
      const next = applySettingsPatch(options.settings.read(), patch)
      try {
        options.settings.write(next)
      } catch (error) {
        throw new ApiError('failed', `Settings could not be saved: ${(error as Error).message}`)
      }
      connection.history?.setRetention({
        rawRetentionDays: next.rawRetentionDays,
        rollupRetentionDays: next.rollupRetentionDays,
      })
      events.emit('settings.changed', next)
      return next
    },
  }
}
