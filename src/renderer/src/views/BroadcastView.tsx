import { EmptyState } from '../components/EmptyState.tsx'
import { ViewFrame } from '../components/ViewFrame.tsx'

export function BroadcastView() {
  return (
    <ViewFrame title="Broadcast" description="Publish room counts, subgroups and friend rosters back through Pusher.">
      <EmptyState title="Broadcasting is off">Connect to an app first; broadcasting stays off until you switch it on.</EmptyState>
    </ViewFrame>
  )
}
