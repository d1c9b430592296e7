import { describe, expect, it, vi } from 'vitest'
import { menuTemplate } from './menu.ts'

const actions = { reload: vi.fn(), toggleDevTools: vi.fn(), openDocs: vi.fn(), quit: vi.fn() }

describe('menuTemplate', () => {
  it('has the app menu only on macOS', () => {
    expect(menuTemplate('darwin', actions, false)[0]?.label).toBe('Headcount')
    expect(menuTemplate('linux', actions, false)[0]?.label).toBe('File')
  })

  it('offers developer tools only in development', () => {
    const labels = (dev: boolean) => JSON.stringify(menuTemplate('linux', actions, dev).map((item) => item.submenu))
    expect(labels(false)).not.toContain('Developer Tools')
    expect(labels(true)).toContain('Developer Tools')
  })
})
