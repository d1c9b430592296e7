import { describe, expect, it } from 'vitest'
import { type EmulatorOptions, resolveOptions } from './options.ts'

describe('emulator options', () => {
  it('lists channels in occupied order unless asked to shuffle them', () => {
    expect(resolveOptions().shuffleChannels).toBe(false)
    expect(resolveOptions({ shuffleChannels: true }).shuffleChannels).toBe(true)
  })

  it('refuses a shuffle option that is not true or false', () => {
    // As a JavaScript caller (or a config file) might pass it.
    const options = { shuffleChannels: 'yes' } as unknown as EmulatorOptions
    expect(() => resolveOptions(options)).toThrow('Emulator option shuffleChannels must be true or false, got yes')
  })
})
