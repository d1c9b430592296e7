import { useState, type FormEvent } from 'react'
import { engineLabel } from '../../../shared/engine-choice.ts'
import { ThemeSchema, TimeZoneSettingSchema, type Theme, type TimeZoneSetting } from '../../../shared/settings.ts'
import { ConventionSection } from '../components/settings/ConventionSection.tsx'
import { SyncSection } from '../components/settings/SyncSection.tsx'
import { ViewFrame } from '../components/ViewFrame.tsx'
import { useNow } from '../hooks/use-now.ts'
import { useAppFields } from '../hooks/use-store.ts'
import { timeFormat } from '../lib/time-format.ts'
import { useAppStore } from '../store/context.tsx'
import { failureText } from '../store/outcome.ts'
import { selectSecretWarning } from '../store/selectors.ts'

const THEME_LABELS: Record<Theme, string> = { system: 'Follow the system', light: 'Light', dark: 'Dark' }

/** "This computer's (Europe/Paris (UTC+1))" or "UTC". */
function timeZoneLabel(option: TimeZoneSetting, now: number): string {
  return option === 'utc' ? 'UTC' : `This computer’s: ${timeFormat('local').label(now)}`
}

function AppearanceSection() {
  const theme = useAppStore((state) => state.settings?.theme ?? 'system')
  const timeZone = useAppStore((state) => state.settings?.timeZone ?? 'local')
  const now = useNow(60_000)
  const updateSettings = useAppStore((state) => state.updateSettings)
  const [error, setError] = useState<string | null>(null)
  return (
    <section className="card" aria-label="Appearance">
      <h2>Appearance</h2>
      <fieldset className="radio-row">
        <legend>Theme</legend>
        {ThemeSchema.options.map((option) => (
          <label key={option}>
            <input
              type="radio"
              name="theme"
              value={option}
              checked={theme === option}
              onChange={async () => setError(failureText(await updateSettings({ theme: option })))}
            />
            {THEME_LABELS[option]}
          </label>
        ))}
      </fieldset>
      <fieldset className="radio-row">
        <legend>Time zone</legend>
        {TimeZoneSettingSchema.options.map((option) => (
          <label key={option}>
            <input
              type="radio"
              name="time-zone"
              value={option}
              checked={timeZone === option}
              onChange={async () => setError(failureText(await updateSettings({ timeZone: option })))}
            />
            {timeZoneLabel(option, now)}
          </label>
        ))}
      </fieldset>
      <p className="field-hint">
        Every time on screen (axes, readouts, ranges, captions) is in this zone. Exported files are always in UTC.
      </p>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </section>
  )
}

function RetentionSection() {
  const settings = useAppStore((state) => state.settings)
  const updateSettings = useAppStore((state) => state.updateSettings)
  const [raw, setRaw] = useState<string | null>(null)
  const [rollup, setRollup] = useState<string | null>(null)
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null)
  if (!settings) return null
  const rawValue = raw ?? String(settings.rawRetentionDays)
  const rollupValue = rollup ?? String(settings.rollupRetentionDays)

  // The engine validates against the contract; its message is shown as is, so both agree on the rules.
  const onSubmit = async (event: FormEvent) => {
    event.preventDefault()
    const outcome = await updateSettings({
      rawRetentionDays: Number(rawValue),
      rollupRetentionDays: Number(rollupValue),
    })
    setResult(outcome.ok ? { ok: true, text: 'Saved' } : { ok: false, text: outcome.error.message })
    if (outcome.ok) {
      setRaw(null)
      setRollup(null)
    }
  }

  return (
    <form className="card" aria-label="History retention" onSubmit={onSubmit}>
      <h2>History retention</h2>
      <div className="field-row">
        <label>
          Raw samples, days
          <input type="number" inputMode="numeric" value={rawValue} onChange={(event) => setRaw(event.target.value)} />
        </label>
        <label>
          One-minute roll-ups, days
          <input
            type="number"
            inputMode="numeric"
            value={rollupValue}
            onChange={(event) => setRollup(event.target.value)}
          />
        </label>
        <button type="submit">Save</button>
      </div>
      {result && (
        <p className={result.ok ? 'field-ok' : 'field-error'} role={result.ok ? 'status' : 'alert'}>
          {result.text}
        </p>
      )}
    </form>
  )
}

function AboutSection() {
  const info = useAppStore((state) => state.info)
  const engine = useAppStore((state) => state.engine)
  const secretWarning = useAppStore(selectSecretWarning)
  if (!info) return null
  return (
    <section className="card" aria-label="About">
      <h2>About</h2>
      <dl className="facts">
        {engine?.shell === 'desktop' && (
          <>
            <dt>Engine shown</dt>
            <dd>{engineLabel(engine)}</dd>
          </>
        )}
        <dt>Version</dt>
        <dd>{info.version}</dd>
        <dt>Runtime</dt>
        <dd>
          {info.runtime === 'electron' ? `Desktop (Electron ${info.electronVersion ?? '?'})` : 'Web mode'} · Node{' '}
          {info.nodeVersion} · {info.platform}
        </dd>
        <dt>Data folder</dt>
        <dd className="mono">{info.dataDir}</dd>
        <dt>Secrets</dt>
        <dd>{info.secretStorage.backend}</dd>
      </dl>
      {secretWarning && (
        <p className="banner banner-warning" role="alert">
          {secretWarning}
        </p>
      )}
    </section>
  )
}

function ProfileSettings() {
  const { profiles, activeId } = useAppFields((state) => ({
    profiles: state.profiles,
    activeId: state.status?.profileId ?? null,
  }))
  const [chosen, setChosen] = useState<string | null>(null)
  const profile =
    profiles.find((candidate) => candidate.id === chosen) ??
    profiles.find((candidate) => candidate.id === activeId) ??
    profiles[0]
  if (!profile) return null
  return (
    <>
      <div className="profile-chooser">
        <label>
          Connection settings for
          <select
            value={profile.id}
            onChange={(event) => setChosen(event.target.value)}
            aria-label="Connection to configure"
          >
            {profiles.map((option) => (
              <option key={option.id} value={option.id}>
                {option.name}
                {option.id === activeId ? ' (connected)' : ''}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ConventionSection key={`convention-${profile.id}`} profile={profile} />
      <SyncSection key={`sync-${profile.id}`} profile={profile} />
    </>
  )
}

export function SettingsView() {
  return (
    <ViewFrame
      title="Settings"
      description="How Headcount reads channel names and syncs, what it keeps, and how it looks."
    >
      <ProfileSettings />
      <RetentionSection />
      <AppearanceSection />
      <AboutSection />
    </ViewFrame>
  )
}
