// What refusing a catastrophic regex convention costs, against what running it would. The refusal
// comes from recheck's analysis of the pattern alone (it never runs the pattern on a name), so its
// time does not depend on any channel name; running the pattern doubles with every extra "a".
// Prints figures; the issue's target is a refusal under 50 ms once the checker is loaded.
// Run: npm run bench:convention
import { performance } from 'node:perf_hooks'
import { regexRefusal } from '../src/core/convention-safety.ts'
import { anchoredRegexSource } from '../src/shared/naming.ts'

const NESTED = '^private-(?<room>(a+)+)-(?<user>b)$'
const OTHERS = [
  '^private-(?<room>(\\w|\\d)+)-(?<user>.+)$',
  '^(?<room>a*a*a*)-(?<user>b)$',
  '^(?<room>(x|x)+)-(?<user>y)$',
]
const SAFE = '^private-(?<room>[^-]+)-(?<user>.+)$'

async function timed(pattern: string): Promise<[number, string | null]> {
  const start = performance.now()
  const reason = await regexRefusal(pattern)
  return [performance.now() - start, reason]
}

const [cold, reason] = await timed(NESTED)
console.log(`refusal, first regex (loads recheck and starts its agent): ${cold.toFixed(1)} ms`)
console.log(`  ${reason}`)
for (const pattern of OTHERS) {
  const [ms] = await timed(pattern)
  console.log(`refusal of ${pattern}: ${ms.toFixed(1)} ms`)
}
const [safeMs, safeReason] = await timed(SAFE)
console.log(`acceptance of ${SAFE}: ${safeMs.toFixed(1)} ms (${safeReason === null ? 'accepted' : 'refused?!'})`)
const [cachedMs] = await timed(NESTED)
console.log(`the same pattern again (the preview, then the save): ${cachedMs.toFixed(3)} ms`)

const anchored = new RegExp(anchoredRegexSource(NESTED))
let last = 0
for (let count = 16; count <= 23; count++) {
  const name = `private-${'a'.repeat(count)}-c`
  const start = performance.now()
  anchored.exec(name)
  const ms = performance.now() - start
  console.log(
    `running it instead on private-+${count}a+-c: ${ms.toFixed(1)} ms${last ? ` (x${(ms / last).toFixed(2)})` : ''}`,
  )
  last = ms
}
console.log(`a 164-character name would need about 2^${164 - 10 - 23} times the last figure: the pattern is never run.`)
process.exit(0)
