// Writes src/shared/contract-names.ts: the contract's method and event names as plain lists, for the
// preload, which checks names before forwarding them and must not bundle zod and every schema to do
// it. Run after adding or removing a contract entry: npm run generate:contract-names
// (src/shared/contract-names.test.ts fails until the lists match the contract again).
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { format, resolveConfig } from 'prettier'
import { EVENT_NAMES, METHOD_NAMES } from '../src/shared/contract.ts'

const target = join(import.meta.dirname, '..', 'src', 'shared', 'contract-names.ts')

const source = `// Generated from src/shared/contract.ts by \`npm run generate:contract-names\`; do not edit.
// contract-names.test.ts fails when these lists and the contract disagree.

/** Every method name of the contract, without its schemas. */
export const CONTRACT_METHOD_NAMES: readonly string[] = ${JSON.stringify(METHOD_NAMES)}

/** Every event name of the contract, without its schemas. */
export const CONTRACT_EVENT_NAMES: readonly string[] = ${JSON.stringify(EVENT_NAMES)}
`

const options = (await resolveConfig(target)) ?? {}
writeFileSync(target, await format(source, { ...options, filepath: target }))
console.log(`wrote ${target}: ${METHOD_NAMES.length} methods, ${EVENT_NAMES.length} events`)
