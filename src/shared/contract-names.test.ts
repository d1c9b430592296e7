import { describe, expect, it } from 'vitest'
import { CONTRACT_EVENT_NAMES, CONTRACT_METHOD_NAMES } from './contract-names.ts'
import { contract } from './contract.ts'

const REGENERATE = 'the contract changed: run `npm run generate:contract-names`'

describe('the generated contract names', () => {
  it('are exactly the methods and events of the contract', () => {
    expect(CONTRACT_METHOD_NAMES, REGENERATE).toEqual(Object.keys(contract.methods))
    expect(CONTRACT_EVENT_NAMES, REGENERATE).toEqual(Object.keys(contract.events))
  })
})
