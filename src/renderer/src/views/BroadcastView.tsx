import { useState } from 'react'
import type { BroadcastSettings, BroadcastState, BroadcastStatus } from '../../../shared/broadcast.ts'
import { fillChannelTemplate } from '../../../shared/channel-names.ts'
import { DEFAULT_CONVENTION } from '../../../shared/naming.ts'
import { describeBudget } from '../../../shared/pusher-plans.ts'
import { BroadcastFigures } from '../components/broadcast/BroadcastFigures.tsx'
import { BroadcastSettingsForm } from '../components/broadcast/BroadcastSettingsForm.tsx'
import { BudgetControl } from '../components/broadcast/BudgetControl.tsx'
import { FriendsPanel } from '../components/broadcast/FriendsPanel.tsx'
import { PayloadPreview } from '../components/broadcast/PayloadPreview.tsx'
import { LiveArea } from '../components/LiveArea.tsx'
import { NotConnected } from '../components/NotConnected.tsx'
import { ViewFrame } from '../components/ViewFrame.tsx'
import { useNow } from '../hooks/use-now.ts'
import { useAppFields } from '../hooks/use-store.ts'
import { useTimeFormat } from '../hooks/use-time-format.ts'
import { formatCount, formatPerDay } from '../lib/format.ts'
import { useAppStore } from '../store/context.tsx'
import { failureText } from '../store/outcome.ts'
import { topRooms } from '../store/selectors.ts'

const STATE_LABELS: Record<BroadcastState, string> = {
  off: 'Off',
  starting: 'Starting',
  on: 'Broadcasting',
  failing: 'Failing, retrying',
  blocked: 'Blocked: another broadcaster',
}

const TARGETS: Record<BroadcastStatus['target'], string> = {
  emulator: 'the emulator',
  pusher: 'Pusher',
  other: 'a Pusher-compatible server',
  unknown: 'a server not identified yet',
}

/**
 * Asked once per connection before the first broadcast to anything but the emulator: which channels get
 * what, and what it would cost a day (a dry run of the current settings on the live crowd).
 */
function ConfirmBroadcast({
  profileName,
  settings,
  status,
  onConfirm,
  onCancel,
}: {
  profileName: string
  settings: BroadcastSettings
  status: BroadcastStatus | undefined
  onConfirm(): void
  onCancel(): void
}) {
  // Joined into one string: a selector must return the same value while nothing changed.
  const examples = useAppStore((state) => topRooms(state.rooms.values(), 3).join('\n'))
    .split('\n')
    .filter((room) => room !== '')
  const channels = examples.map((room) => fillChannelTemplate(settings.channelTemplate, { room }))
  const projected = status && status.projectionBasis !== 'none' ? formatPerDay(status.projectedPerDay) : null
  return (
    <section className="panel confirm-broadcast" role="alertdialog" aria-label="Confirm broadcasting">
      <h2>Broadcast to {profileName}?</h2>
      <p>
        This publishes through {TARGETS[status?.target ?? 'unknown']}, and every message counts against the app’s plan.
      </p>
      <ul>
        <li>
          Event <code>{settings.eventName}</code> on each room’s channel <code>{settings.channelTemplate}</code>
          {channels.length > 0 && (
            <>
              {' '}
              (<span className="mono">{channels.join(', ')}</span>
              {status && status.rooms > channels.length ? ', …' : ''})
            </>
          )}
        </li>
        {settings.friends.enabled && (
          <li>
            Friend rosters (<code>{settings.friends.eventName}</code>) on each user’s own channel
          </li>
        )}
        <li aria-label="Projected daily cost">
          {projected === null
            ? 'Projected cost: not known yet (no sync so far)'
            : `Projected cost: about ${projected} messages a day at these settings`}
          {settings.budget === null
            ? ', with no budget to stop it.'
            : `, within a budget of ${describeBudget(settings.budget)}.`}
        </li>
      </ul>
      <div className="form-actions">
        <button type="button" onClick={onConfirm}>
          Broadcast
        </button>
        <button type="button" className="ghost-button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </section>
  )
}

function BroadcastConsole({ profileId }: { profileId: string }) {
  const time = useTimeFormat()
  const { profile, setBroadcast, status } = useAppFields((state) => ({
    // The profile's own copy: loaded with the profiles, changed by setBroadcast.
    profile: state.profiles.find((candidate) => candidate.id === profileId) ?? null,
    setBroadcast: state.setBroadcast,
    status: state.status?.broadcast,
  }))
  const [error, setError] = useState<string | null>(null)
  const [switching, setSwitching] = useState(false)
  const [confirming, setConfirming] = useState(false)
  const now = useNow(1000)

  const patch = async (change: Partial<Pick<BroadcastSettings, 'enabled' | 'force' | 'confirmed'>>) => {
    setSwitching(true)
    const outcome = await setBroadcast(profileId, change)
    setSwitching(false)
    setError(failureText(outcome))
  }

  // Until the profiles have loaded (just after connecting), there is nothing true to show yet.
  if (!profile) return null
  const settings = profile.broadcast
  const enabled = settings.enabled
  const state = status?.state ?? (enabled ? 'starting' : 'off')
  const toggle = () => {
    if (enabled) return void patch({ enabled: false })
    // Anything but the emulator is billed: ask once per connection, naming the channels and the cost.
    if (!settings.confirmed && status?.target !== 'emulator') return setConfirming(true)
    void patch({ enabled: true })
  }
  const problems = status?.warnings.filter((warning) => warning.kind === 'reads-as-participant') ?? []
  return (
    <>
      <section className="panel broadcast-switch" aria-label="Broadcasting">
        <button
          type="button"
          role="switch"
          aria-checked={enabled}
          aria-label="Broadcasting"
          className={enabled ? 'switch on' : 'switch'}
          disabled={switching || confirming}
          onClick={toggle}
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
      {confirming && (
        <ConfirmBroadcast
          profileName={profile.name}
          settings={settings}
          status={status}
          onConfirm={() => {
            setConfirming(false)
            void patch({ enabled: true, confirmed: true })
          }}
          onCancel={() => setConfirming(false)}
        />
      )}
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      {problems.map((warning) => (
        <p key={warning.kind} className="banner banner-error" role="alert" aria-label="Room channel problem">
          {warning.message}
        </p>
      ))}
      {status?.budget && status.budget.unaffordable.count > 0 && (
        <p className="banner banner-warning" role="note" aria-label="Rooms over the budget">
          {formatCount(status.budget.unaffordable.count)} rooms get nothing: one summary to{' '}
          {status.budget.unaffordable.examples[0]?.room} costs{' '}
          {formatCount(status.budget.unaffordable.examples[0]?.cost ?? 0)} messages, more than the whole day’s budget.
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
          <BroadcastFigures status={status} now={now} />
        </LiveArea>
      )}
      <div className="broadcast-grid">
        <div className="broadcast-column">
          <BudgetControl profileId={profileId} settings={settings} />
          <BroadcastSettingsForm
            key={JSON.stringify(settings)}
            profileId={profileId}
            settings={settings}
            convention={profile.convention ?? DEFAULT_CONVENTION}
          />
        </div>
        <PayloadPreview tickAt={status?.lastTickAt ?? null} now={now} />
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
