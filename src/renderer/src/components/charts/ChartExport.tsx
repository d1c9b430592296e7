import { useState, type RefObject } from 'react'
import { useTimeFormat } from '../../hooks/use-time-format.ts'
import { useAppFields } from '../../hooks/use-store.ts'
import { blobBase64, chartPicture, downloadFile } from '../../lib/chart-picture.ts'
import { chartFileName, chartTableCsv, type ChartTable } from '../../lib/chart-table.ts'
import { describeError } from '../../store/outcome.ts'

interface ChartExportProps {
  /** Names the files: "overview", "room-lobby". */
  subject: string
  /** The chart's title, written above it in the picture. */
  title: string
  /** The panel's chart host: its `.chart-canvas` is what the picture shows. */
  hostRef: RefObject<HTMLElement | null>
  /** The data drawn, made when asked (null while nothing is drawn). */
  table(): ChartTable | null
  from: number
  to: number
}

/**
 * "PNG" and "CSV" beside a chart: the chart as it is on screen, or the data it draws (times in UTC,
 * as every export). One click: the browser downloads it; the desktop asks where to save it.
 */
export function ChartExport({ subject, title, hostRef, table, from, to }: ChartExportProps) {
  const time = useTimeFormat()
  const { desktop, saveMadeFile } = useAppFields((state) => ({
    desktop: state.engine?.shell === 'desktop',
    saveMadeFile: state.saveMadeFile,
  }))
  const [busy, setBusy] = useState(false)
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null)

  const save = async (extension: 'png' | 'csv') => {
    const data = table()
    const canvas = hostRef.current?.querySelector<HTMLElement>('.chart-canvas')
    if (!data || !canvas) return setResult({ ok: false, text: 'Nothing is drawn yet' })
    setBusy(true)
    setResult(null)
    try {
      const name = chartFileName(subject, Date.now(), extension)
      const seconds = to - from < 3_600_000
      const blob =
        extension === 'csv'
          ? new Blob([chartTableCsv(data)], { type: 'text/csv' })
          : await chartPicture(canvas, {
              title,
              caption: `${time.dateTime(from, { seconds })} → ${time.dateTime(to, { seconds })} · ${time.label(to)}`,
              legend: data.columns,
            })
      if (!desktop) {
        downloadFile(name, blob)
        setResult({ ok: true, text: `Downloaded ${name}` })
        return
      }
      const outcome = await saveMadeFile(name, await blobBase64(blob))
      if (!outcome.ok) setResult({ ok: false, text: outcome.error.message })
      else if (outcome.value) setResult({ ok: true, text: `Saved to ${outcome.value}` })
    } catch (error) {
      setResult({ ok: false, text: describeError(error) })
    } finally {
      setBusy(false)
    }
  }

  return (
    <div className="chart-export" role="group" aria-label={`Save ${title.toLowerCase()}`}>
      <button
        type="button"
        className="ghost-button"
        disabled={busy}
        aria-label="Save the chart as PNG"
        title="The chart as a picture (PNG)"
        onClick={() => void save('png')}
      >
        PNG
      </button>
      <button
        type="button"
        className="ghost-button"
        disabled={busy}
        aria-label="Save the chart's data as CSV"
        title="The data drawn, a column per series (CSV, times in UTC)"
        onClick={() => void save('csv')}
      >
        CSV
      </button>
      {result && (
        <span className={result.ok ? 'chart-export-result field-ok' : 'chart-export-result field-error'} role="status">
          {result.text}
        </span>
      )}
    </div>
  )
}
