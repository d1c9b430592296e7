import { EmptyState } from '../components/EmptyState.tsx'
import { ViewFrame } from '../components/ViewFrame.tsx'

export function OverviewView() {
  return (
    <ViewFrame title="Overview" description="People present, rooms and the trend across the whole app.">
      <EmptyState title="Not connected">
        Occupancy appears here once Headcount is connected to a Pusher Channels app.
      </EmptyState>
    </ViewFrame>
  )
}
