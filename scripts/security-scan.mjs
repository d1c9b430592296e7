#!/usr/bin/env node
// Runs Electronegativity over src/ and fails on any finding not explained in
// security/electronegativity-allowlist.json. The tool itself always exits 0, so its SARIF report is
// what we read.
import { spawnSync } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const root = join(import.meta.dirname, '..')
const allowlist = JSON.parse(readFileSync(join(root, 'security', 'electronegativity-allowlist.json'), 'utf8'))
const electronVersion = JSON.parse(readFileSync(join(root, 'node_modules', 'electron', 'package.json'), 'utf8')).version
const workDir = mkdtempSync(join(tmpdir(), 'headcount-scan-'))
const report = join(workDir, 'report.sarif')
// Scan what ships: the sources without their tests (which construct fake windows and policies).
const scanned = join(workDir, 'src')
cpSync(join(root, 'src'), scanned, { recursive: true, filter: (path) => !/\.test\.tsx?$|test-doubles\.ts$/.test(path) })

const run = spawnSync(
  process.execPath,
  [
    '--require',
    join(root, 'scripts', 'offline-got.cjs'),
    join(root, 'node_modules', '@doyensec', 'electronegativity', 'dist', 'index.js'),
    '-i',
    scanned,
    '-r',
    '-e',
    electronVersion,
    '-o',
    report,
  ],
  { encoding: 'utf8', timeout: 300_000 },
)

let sarif
try {
  sarif = JSON.parse(readFileSync(report, 'utf8'))
} catch (error) {
  console.error(`security scan: Electronegativity produced no report (${error.message})`)
  console.error(run.stdout, run.stderr)
  process.exit(1)
} finally {
  rmSync(workDir, { recursive: true, force: true })
}

const excluded = new Set(Object.keys(allowlist.excludedChecks ?? {}))
const accepted = allowlist.accepted ?? []
const findings = sarif.runs
  .flatMap((r) => r.results)
  .map((result) => ({
    check: result.ruleId,
    file: result.locations?.[0]?.physicalLocation?.artifactLocation?.uri ?? '?',
    line: result.locations?.[0]?.physicalLocation?.region?.startLine ?? 0,
    message: result.message?.text ?? '',
  }))

const used = new Set()
const unexplained = []
for (const finding of findings) {
  if (excluded.has(finding.check)) continue
  const index = accepted.findIndex((entry) => entry.check === finding.check && entry.file === finding.file)
  if (index === -1) unexplained.push(finding)
  else used.add(index)
}

for (const [index, entry] of accepted.entries()) {
  if (!used.has(index)) console.log(`security scan: allowlist entry no longer needed: ${entry.check} in ${entry.file}`)
}
console.log(
  `security scan: ${findings.length} findings, ${findings.length - unexplained.length} reviewed in the allowlist, ${unexplained.length} unexplained`,
)
for (const finding of unexplained) {
  console.log(`  UNEXPLAINED ${finding.check} src/${finding.file}:${finding.line} ${finding.message}`)
}
process.exit(unexplained.length ? 1 : 0)
