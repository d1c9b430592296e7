import { useState } from 'react'
import { draftOf, EMPTY_DRAFT, type Draft } from '../components/connections/connection-draft.ts'
import { ConnectionForm } from '../components/connections/ConnectionForm.tsx'
import { ProfileCard } from '../components/connections/ProfileCard.tsx'
import { FirstRun } from '../components/FirstRun.tsx'
import { ViewFrame } from '../components/ViewFrame.tsx'
import { useAppFields } from '../hooks/use-store.ts'

export function ConnectionsView() {
  const { profiles, status } = useAppFields((state) => ({ profiles: state.profiles, status: state.status }))
  const [editing, setEditing] = useState<Draft | null>(null)
  const [formKey, setFormKey] = useState(0)
  const open = (draft: Draft) => {
    setEditing(draft)
    setFormKey((key) => key + 1)
  }
  return (
    <ViewFrame
      title="Connections"
      description="The Channels apps Headcount can watch. Secrets are stored apart and never shown again."
      actions={
        !editing && (
          <button type="button" className="button" onClick={() => open(EMPTY_DRAFT)}>
            Add a connection
          </button>
        )
      }
    >
      {editing && <ConnectionForm key={formKey} initial={editing} onDone={() => setEditing(null)} />}
      {profiles.length === 0 && !editing ? (
        <FirstRun />
      ) : (
        <section className="panel" aria-label="Saved connections">
          <header className="panel-header">
            <h2>Saved connections</h2>
          </header>
          <ul className="profile-list">
            {profiles.map((profile) => (
              <ProfileCard
                key={profile.id}
                profile={profile}
                active={status?.profileId === profile.id}
                onEdit={() => open(draftOf(profile))}
              />
            ))}
          </ul>
        </section>
      )}
    </ViewFrame>
  )
}
