/**
 * A chart as a PNG, as it is on screen: each canvas of the chart (its lines) is drawn as it is, and
 * each SVG (axes, areas, the live tail) is copied with the styles the page gives it written in, all
 * onto a canvas under a title, the range with its time zone, and a legend, then encoded by the
 * browser. Only the browser's own Canvas API: nothing leaves the page.
 */

export interface PictureHeading {
  title: string
  /** The range shown and its zone: "2026-03-04 14:00 → 2026-03-04 15:00 · UTC". */
  caption: string
  legend: readonly { label: string; color: string }[]
}

/** Styles that decide how an SVG element looks, copied from the page into the picture. */
const STYLE_PROPERTIES = [
  'fill',
  'fill-opacity',
  'stroke',
  'stroke-width',
  'stroke-opacity',
  'stroke-dasharray',
  'opacity',
  'font-family',
  'font-size',
  'font-weight',
  'visibility',
] as const

const SCALE = 2
const PAD = 12
const TITLE_FONT = 15
const TEXT_FONT = 12
const LEGEND_ROW = 18

function inlineStyles(source: Element, copy: Element): void {
  const computed = getComputedStyle(source)
  const style = STYLE_PROPERTIES.map((name) => `${name}:${computed.getPropertyValue(name)}`).join(';')
  copy.setAttribute('style', style)
  for (let i = 0; i < source.children.length; i++) {
    const child = copy.children[i]
    if (child) inlineStyles(source.children[i] as Element, child)
  }
}

function loadSvg(svg: SVGSVGElement, width: number, height: number): Promise<HTMLImageElement> {
  const copy = svg.cloneNode(true) as SVGSVGElement
  inlineStyles(svg, copy)
  copy.setAttribute('xmlns', 'http://www.w3.org/2000/svg')
  copy.setAttribute('width', String(width))
  copy.setAttribute('height', String(height))
  const text = new XMLSerializer().serializeToString(copy)
  return new Promise((resolve, reject) => {
    const image = new Image()
    image.onload = () => resolve(image)
    image.onerror = () => reject(new Error('The chart could not be drawn as a picture'))
    image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(text)}`
  })
}

/** Lays the legend out in rows that fit `width`; answers each item's place and the rows' count. */
function legendLayout(
  context: CanvasRenderingContext2D,
  legend: PictureHeading['legend'],
  width: number,
): { rows: number; places: { x: number; row: number }[] } {
  let x = PAD
  let row = 0
  const places = legend.map((item) => {
    const itemWidth = 16 + context.measureText(item.label).width + 14
    if (x + itemWidth > width - PAD && x > PAD) {
      row += 1
      x = PAD
    }
    const place = { x, row }
    x += itemWidth
    return place
  })
  return { rows: legend.length ? row + 1 : 0, places }
}

/** The chart drawn in `canvasHost` (its SVGs and canvases, where they sit) as a PNG under its heading. */
export async function chartPicture(canvasHost: HTMLElement, heading: PictureHeading): Promise<Blob> {
  const box = canvasHost.getBoundingClientRect()
  const width = Math.max(1, Math.round(box.width))
  const page = getComputedStyle(canvasHost)
  const background = getComputedStyle(document.body).backgroundColor || '#ffffff'
  const textColor = page.color || '#000000'
  const fontFamily = page.fontFamily || 'sans-serif'

  const canvas = document.createElement('canvas')
  const context = canvas.getContext('2d')
  if (!context) throw new Error('This browser cannot draw pictures (no 2D canvas)')
  context.font = `${TEXT_FONT}px ${fontFamily}`
  const legend = legendLayout(context, heading.legend, width)
  const top = PAD + TITLE_FONT + 6 + TEXT_FONT + 8 + legend.rows * LEGEND_ROW + 4
  const height = top + Math.round(box.height) + PAD
  canvas.width = width * SCALE
  canvas.height = height * SCALE
  context.scale(SCALE, SCALE)
  context.fillStyle = background
  context.fillRect(0, 0, width, height)

  context.fillStyle = textColor
  context.textBaseline = 'top'
  context.font = `600 ${TITLE_FONT}px ${fontFamily}`
  context.fillText(heading.title, PAD, PAD)
  context.font = `${TEXT_FONT}px ${fontFamily}`
  context.fillText(heading.caption, PAD, PAD + TITLE_FONT + 6)
  const legendTop = PAD + TITLE_FONT + 6 + TEXT_FONT + 8
  heading.legend.forEach((item, index) => {
    const place = legend.places[index]
    if (!place) return
    const y = legendTop + place.row * LEGEND_ROW
    context.fillStyle = item.color
    context.fillRect(place.x, y + 2, 10, 10)
    context.fillStyle = textColor
    context.fillText(item.label, place.x + 16, y)
  })

  // In the page's order, so what is drawn over what on screen is drawn over it in the picture too.
  for (const layer of canvasHost.querySelectorAll<SVGSVGElement | HTMLCanvasElement>(':scope svg, :scope canvas')) {
    if (layer.parentElement?.closest('svg')) continue
    const rect = layer.getBoundingClientRect()
    if (rect.width < 1 || rect.height < 1) continue
    const image = layer instanceof HTMLCanvasElement ? layer : await loadSvg(layer, rect.width, rect.height)
    context.drawImage(image, rect.left - box.left, top + rect.top - box.top, rect.width, rect.height)
  }

  return new Promise((resolve, reject) =>
    canvas.toBlob(
      (blob) => (blob ? resolve(blob) : reject(new Error('The picture could not be encoded as PNG'))),
      'image/png',
    ),
  )
}

/** A file handed to the browser's downloads: the web console's "one click to a file". */
export function downloadFile(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob)
  const link = document.createElement('a')
  link.href = url
  link.download = name
  link.rel = 'noopener'
  document.body.append(link)
  link.click()
  link.remove()
  // The download has taken the bytes once the click is handled; the URL can go after this turn.
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

/** A blob's bytes as base64, for the desktop's save dialog (through the contract). */
export async function blobBase64(blob: Blob): Promise<string> {
  const bytes = new Uint8Array(await blob.arrayBuffer())
  let binary = ''
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(binary)
}
