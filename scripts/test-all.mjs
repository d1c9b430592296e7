#!/usr/bin/env node
// `npm test`: every suite in order, each reported as it runs, then one closing line
// "N passed, M failed, K skipped" that counts checks (build, typecheck, lint, security scan) as one
// each plus every vitest and Playwright test. Exits non-zero if anything failed.
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'

const root = join(import.meta.dirname, '..')
const reports = join(root, '.test-reports')
rmSync(reports, { recursive: true, force: true })
mkdirSync(reports, { recursive: true })

const totals = { passed: 0, failed: 0, skipped: 0 }
const lines = []

function run(label, command, args) {
  console.log(`\n=== ${label}: ${[command, ...args].join(' ')}`)
  const started = Date.now()
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: process.env })
  const seconds = ((Date.now() - started) / 1000).toFixed(1)
  return { ok: result.status === 0, seconds, status: result.status ?? result.signal }
}

function check(label, command, args) {
  const { ok, seconds, status } = run(label, command, args)
  totals[ok ? 'passed' : 'failed'] += 1
  lines.push(`${label}: ${ok ? 'passed' : `FAILED (exit ${status})`} in ${seconds} s`)
}

function readJson(file) {
  try {
    return JSON.parse(readFileSync(join(reports, file), 'utf8'))
  } catch {
    return null
  }
}

function suite(label, command, args, reportFile, count) {
  const { ok, seconds, status } = run(label, command, args)
  const report = readJson(reportFile)
  if (!report) {
    totals.failed += 1
    lines.push(`${label}: FAILED, no report (exit ${status}) in ${seconds} s`)
    return
  }
  const counted = count(report)
  // A runner that failed without any failing test (a crash, an unhandled error) still fails the run.
  if (!ok && counted.failed === 0) counted.failed = 1
  for (const key of Object.keys(totals)) totals[key] += counted[key]
  lines.push(`${label}: ${counted.passed} passed, ${counted.failed} failed, ${counted.skipped} skipped in ${seconds} s`)
}

const bin = (name) => join(root, 'node_modules', '.bin', name)

check('build', bin('electron-vite'), ['build', '--logLevel', 'warn'])
check('build: CLI bundle', bin('vite'), ['build', '--config', 'vite.cli.config.ts', '--logLevel', 'warn'])
check('typecheck', bin('tsc'), ['-b', '--noEmit'])
check('lint', bin('eslint'), ['--max-warnings', '0', '.'])
check('format', bin('prettier'), ['--check', '--log-level', 'warn', '.'])
check('security scan', process.execPath, [join(root, 'scripts', 'security-scan.mjs')])
suite(
  'vitest (unit + integration)',
  bin('vitest'),
  ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${join(reports, 'vitest.json')}`],
  'vitest.json',
  (report) => ({
    passed: report.numPassedTests,
    failed: report.numFailedTests,
    skipped: report.numPendingTests + report.numTodoTests,
  }),
)
suite('playwright (web e2e + electron smoke)', bin('playwright'), ['test'], 'playwright.json', (report) => ({
  passed: report.stats.expected + report.stats.flaky,
  failed: report.stats.unexpected,
  skipped: report.stats.skipped,
}))

console.log('\n=== summary')
for (const line of lines) console.log(line)
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`)
process.exit(totals.failed === 0 ? 0 : 1)
