import { EmptyState } from '../components/EmptyState.tsx'
import { ViewFrame } from '../components/ViewFrame.tsx'

export function ExportView() {
  return (
    <ViewFrame title="Export" description="Occupancy history and presence sessions as CSV.">
      <EmptyState title="No history yet">History is recorded from the first sync; export becomes available then.</EmptyState>
    </ViewFrame>
  )
}
