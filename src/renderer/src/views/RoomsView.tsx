import { EmptyState } from '../components/EmptyState.tsx'
import { ViewFrame } from '../components/ViewFrame.tsx'

export function RoomsView() {
  return (
    <ViewFrame title="Rooms" description="Every room with its participants, subgroups and recent joins and leaves.">
      <EmptyState title="No rooms yet">Rooms are listed here once Headcount is connected and has synced.</EmptyState>
    </ViewFrame>
  )
}
