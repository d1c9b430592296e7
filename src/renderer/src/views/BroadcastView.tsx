import { useState } from 'react'
import type { BroadcastSettings, BroadcastState } from '../../../shared/broadcast.ts'
import { BroadcastFigures } from '../components/broadcast/BroadcastFigures.tsx'
import { BroadcastSettingsForm } from '../components/broadcast/BroadcastSettingsForm.tsx'
import { FriendsPanel } from '../components/broadcast/FriendsPanel.tsx'
import { PayloadPreview } from '../components/broadcast/PayloadPreview.tsx'
import { LiveArea } from '../components/LiveArea.tsx'
import { NotConnected } from '../components/NotConnected.tsx'
import { ViewFrame } from '../components/ViewFrame.tsx'
import { useAppFields } from '../hooks/use-store.ts'
import { formatCount } from '../lib/format.ts'
import { useTimeFormat } from '../hooks/use-time-format.ts'
import { failureText } from '../store/outcome.ts'

const STATE_LABELS: Record<BroadcastState, string> = {
  off: 'Off',
  starting: 'Starting',
  on: 'Broadcasting',
  failing: 'Failing, retrying',
  blocked: 'Blocked: another broadcaster',
}

function BroadcastConsole({ profileId }: { profileId: string }) {
  const time = useTimeFormat()
  const { settings, setBroadcast, status } = useAppFields((state) => ({
    // The profile's own copy: loaded with the profiles, changed by setBroadcast.
    settings: state.profiles.find((profile) => profile.id === profileId)?.broadcast ?? null,
    setBroadcast: state.setBroadcast,
    status: state.status?.broadcast,
  }))
  const [error, setError] = useState<string | null>(null)
  const [switching, setSwitching] = useState(false)

  const patch = async (change: Partial<Pick<BroadcastSettings, 'enabled' | 'force'>>) => {
    setSwitching(true)
    const outcome = await setBroadcast(profileId, change)
    setSwitching(false)
    setError(failureText(outcome))
  }

  // Until the profiles have loaded (just after connecting), there is nothing true to show yet.
  if (!settings) return null
  const enabled = settings.enabled
  const state = status?.state ?? (enabled ? 'starting' : 'off')
  return (
    <>
      <section className="panel broadcast-switch" aria-label="Broadcasting">
        <button
          type="button"
          role="switch"
          aria-checked={enabled}
          aria-label="Broadcasting"
          className={enabled ? 'switch on' : 'switch'}
          disabled={switching}
          onClick={() => void patch({ enabled: !enabled })}
        >
          <span className="switch-knob" aria-hidden="true" />
        </button>
        <div className="switch-text">
          <strong>{enabled ? 'Broadcasting is on' : 'Broadcasting is off'}</strong>
          <span className="muted">
            {enabled
              ? `Every ${settings.intervalMs / 1000} s, changed rooms get “${settings.eventName}” on ${settings.channelTemplate}`
              : 'Switch on to publish room counts and groups to each room’s channel'}
          </span>
        </div>
        <span className={`pill pill-${state}`} aria-label="Broadcaster state">
          {STATE_LABELS[state]}
        </span>
      </section>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      {status?.otherBroadcaster && (
        <div className="banner banner-warning" role="alert" aria-label="Another broadcaster">
          <div>
            <strong>Another broadcaster is publishing to this app</strong> (seen{' '}
            {time.clock(status.otherBroadcaster.detectedAt)}): {status.otherBroadcaster.detail}.{' '}
            {settings.force
              ? 'Broadcasting anyway: every message is sent twice.'
              : 'Headcount holds back so participants do not get every count twice.'}
          </div>
          <button type="button" className="ghost-button" onClick={() => void patch({ force: !settings.force })}>
            {settings.force ? 'Hold back' : 'Broadcast anyway'}
          </button>
        </div>
      )}
      {status?.lastError && (
        <div className="banner banner-error" role="alert" aria-label="Broadcast error">
          <div>
            <strong>{status.lastError.message}.</strong> {status.lastError.hint}{' '}
            <span className="muted">({status.lastError.attempts} attempts)</span>
          </div>
        </div>
      )}
      {status && status.invalidChannels.count > 0 && (
        <p className="banner banner-warning" role="note">
          {formatCount(status.invalidChannels.count)} channels would be refused by Pusher and get nothing, e.g.{' '}
          {status.invalidChannels.examples[0]?.channel}: {status.invalidChannels.examples[0]?.reason}
        </p>
      )}
      {status && (
        <LiveArea>
          <BroadcastFigures status={status} />
        </LiveArea>
      )}
      <div className="broadcast-grid">
        <BroadcastSettingsForm key={JSON.stringify(settings)} profileId={profileId} settings={settings} />
        <PayloadPreview />
      </div>
      <FriendsPanel profileId={profileId} settings={settings} status={status} />
    </>
  )
}

export function BroadcastView() {
  const profileId = useAppFields((state) => ({ id: state.status?.profileId ?? null })).id
  return (
    <ViewFrame
      title="Broadcast"
      description="Publish room counts, subgroups and friend rosters back through Pusher, at a fraction of presence channels’ cost."
    >
      {profileId === null ? (
        <NotConnected what="Broadcasting controls" />
      ) : (
        <BroadcastConsole key={profileId} profileId={profileId} />
      )}
    </ViewFrame>
  )
}
