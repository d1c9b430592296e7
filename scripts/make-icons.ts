// Derives the installers' icons from the one drawing, src/renderer/public/favicon.svg, so they can be
// committed and the packaging needs no icon converter (electron-builder would download one):
//   resources/icons/NxN.png   Linux (AppImage, deb) icon set
//   resources/icon.ico        Windows (nsis): classic bitmaps up to 64 px, PNG at 256 px
//   resources/icon.icns       macOS (dmg): PNG entries 16 to 1024 px
//   src/renderer/public/favicon.png  the page's icon, 32 px (see index.html for why not the SVG)
// Chromium (Debian's, as the e2e tests use) draws the SVG at each size. Run: node scripts/make-icons.ts
import { chromium } from '@playwright/test'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const root = join(import.meta.dirname, '..')
const svg = readFileSync(join(root, 'src', 'renderer', 'public', 'favicon.svg'), 'utf8')
const PNG_SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024]
const ICO_BITMAP_SIZES = [16, 24, 32, 48, 64]

type Drawn = { png: Buffer; rgba: Buffer }

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
})
const drawn = new Map<number, Drawn>()
try {
  const page = await browser.newPage()
  for (const size of PNG_SIZES) {
    const result = await page.evaluate(
      async ({ svg, size, withPixels }) => {
        const image = new Image(size, size)
        image.src = `data:image/svg+xml;base64,${btoa(svg)}`
        await image.decode()
        const canvas = document.createElement('canvas')
        canvas.width = size
        canvas.height = size
        const context = canvas.getContext('2d')
        if (!context) throw new Error('no 2d canvas')
        context.drawImage(image, 0, 0, size, size)
        // Raw pixels only where the ICO needs bitmaps: passing them out is slow for large sizes.
        const rgba = withPixels ? Array.from(context.getImageData(0, 0, size, size).data) : []
        const png = canvas.toDataURL('image/png').split(',')[1] as string
        return { png, rgba }
      },
      { svg, size, withPixels: ICO_BITMAP_SIZES.includes(size) },
    )
    drawn.set(size, { png: Buffer.from(result.png, 'base64'), rgba: Buffer.from(result.rgba) })
  }
} finally {
  await browser.close()
}
const get = (size: number): Drawn => drawn.get(size) as Drawn

/** A 32-bit BMP as an ICO entry stores it: header with doubled height, BGRA rows bottom-up, AND mask. */
function icoBitmap(size: number, rgba: Buffer): Buffer {
  const header = Buffer.alloc(40)
  header.writeUInt32LE(40, 0)
  header.writeInt32LE(size, 4)
  header.writeInt32LE(size * 2, 8)
  header.writeUInt16LE(1, 12)
  header.writeUInt16LE(32, 14)
  const pixels = Buffer.alloc(size * size * 4)
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const from = (y * size + x) * 4
      const to = ((size - 1 - y) * size + x) * 4
      pixels[to] = rgba[from + 2] as number
      pixels[to + 1] = rgba[from + 1] as number
      pixels[to + 2] = rgba[from] as number
      pixels[to + 3] = rgba[from + 3] as number
    }
  }
  // The alpha channel decides transparency; the mask (rows padded to 4 bytes) stays all zero.
  const mask = Buffer.alloc(Math.ceil(size / 32) * 4 * size)
  header.writeUInt32LE(pixels.length + mask.length, 20)
  return Buffer.concat([header, pixels, mask])
}

function ico(): Buffer {
  const images = [
    ...ICO_BITMAP_SIZES.map((size) => ({ size, data: icoBitmap(size, get(size).rgba) })),
    { size: 256, data: get(256).png },
  ]
  const directory = Buffer.alloc(6 + 16 * images.length)
  directory.writeUInt16LE(1, 2)
  directory.writeUInt16LE(images.length, 4)
  let offset = directory.length
  images.forEach(({ size, data }, index) => {
    const entry = 6 + 16 * index
    directory.writeUInt8(size === 256 ? 0 : size, entry)
    directory.writeUInt8(size === 256 ? 0 : size, entry + 1)
    directory.writeUInt16LE(1, entry + 4)
    directory.writeUInt16LE(32, entry + 6)
    directory.writeUInt32LE(data.length, entry + 8)
    directory.writeUInt32LE(offset, entry + 12)
    offset += data.length
  })
  return Buffer.concat([directory, ...images.map((image) => image.data)])
}

/** icns: a big-endian container of (type, length, PNG) entries; `ic11`-`ic14` are the @2x ones. */
function icns(): Buffer {
  const entries: Array<[string, number]> = [
    ['icp4', 16],
    ['icp5', 32],
    ['icp6', 64],
    ['ic07', 128],
    ['ic08', 256],
    ['ic09', 512],
    ['ic10', 1024],
    ['ic11', 32],
    ['ic12', 64],
    ['ic13', 256],
    ['ic14', 512],
  ]
  const chunks = entries.map(([type, size]) => {
    const png = get(size).png
    const head = Buffer.alloc(8)
    head.write(type, 0, 'latin1')
    head.writeUInt32BE(png.length + 8, 4)
    return Buffer.concat([head, png])
  })
  const head = Buffer.alloc(8)
  head.write('icns', 0, 'latin1')
  head.writeUInt32BE(8 + chunks.reduce((sum, chunk) => sum + chunk.length, 0), 4)
  return Buffer.concat([head, ...chunks])
}

const resources = join(root, 'resources')
mkdirSync(join(resources, 'icons'), { recursive: true })
for (const size of PNG_SIZES) writeFileSync(join(resources, 'icons', `${size}x${size}.png`), get(size).png)
writeFileSync(join(resources, 'icon.ico'), ico())
writeFileSync(join(resources, 'icon.icns'), icns())
writeFileSync(join(root, 'src', 'renderer', 'public', 'favicon.png'), get(32).png)
console.log(`Wrote resources/icons (${PNG_SIZES.join(', ')} px), resources/icon.ico and resources/icon.icns`)
