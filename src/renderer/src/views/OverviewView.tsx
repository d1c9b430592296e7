import { Figures } from '../components/Figures.tsx'
import { LiveArea } from '../components/LiveArea.tsx'
import { NotConnected } from '../components/NotConnected.tsx'
import { OverviewChart } from '../components/OverviewChart.tsx'
import { RoomsTable } from '../components/RoomsTable.tsx'
import { ViewFrame } from '../components/ViewFrame.tsx'
import { useAppFields } from '../hooks/use-store.ts'

export function OverviewView() {
  const { profileId, demo, stopDemo, switching } = useAppFields((state) => ({
    profileId: state.status?.profileId ?? null,
    demo: state.status?.demo ?? false,
    stopDemo: state.stopDemo,
    switching: state.switching,
  }))
  const actions = demo ? (
    <button type="button" className="ghost-button" disabled={switching !== null} onClick={() => void stopDemo()}>
      Stop the demo
    </button>
  ) : undefined
  return (
    <ViewFrame
      title="Overview"
      description="People present, rooms and the trend across the whole app."
      actions={actions}
    >
      {profileId === null ? (
        <NotConnected what="People, rooms and their trend" />
      ) : (
        <LiveArea>
          <Figures />
          <OverviewChart />
          <RoomsTable />
        </LiveArea>
      )}
    </ViewFrame>
  )
}
