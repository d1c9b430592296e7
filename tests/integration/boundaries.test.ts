import { ESLint } from 'eslint'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

// Proves the architecture rules in eslint.config.js actually fire: each snippet is linted as if it
// lived at the given path, and must be refused (or accepted) for the stated reason.
const eslint = new ESLint({ cwd: join(import.meta.dirname, '..', '..') })

async function violations(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath })
  return (result?.messages ?? [])
    .filter((message) => message.severity === 2)
    .map((message) => `${message.ruleId}: ${message.message}`)
}

describe('architecture boundaries', () => {
  it('keep electron and Node built-ins out of the renderer and shared code', async () => {
    for (const filePath of ['src/renderer/src/probe.ts', 'src/shared/probe.ts']) {
      expect(
        await violations(filePath, "import { ipcRenderer } from 'electron'\nexport const x = ipcRenderer\n"),
      ).toEqual(expect.arrayContaining([expect.stringMatching(/no-restricted-imports: .*electron/)]))
      expect(
        await violations(filePath, "import { readFileSync } from 'node:fs'\nexport const x = readFileSync\n"),
      ).toEqual(expect.arrayContaining([expect.stringMatching(/no-restricted-imports: .*Node built-ins/)]))
      expect(await violations(filePath, "import { readFileSync } from 'fs'\nexport const x = readFileSync\n")).toEqual(
        expect.arrayContaining([expect.stringMatching(/no-restricted-imports/)]),
      )
    }
  })

  it('make the UI reach the engine only through the contract', async () => {
    expect(
      await violations(
        'src/renderer/src/probe.ts',
        "import { Engine } from '../../core/engine.ts'\nexport const x = Engine\n",
      ),
    ).toEqual(expect.arrayContaining([expect.stringMatching(/through the contract/)]))
    expect(
      await violations(
        'src/renderer/src/probe.ts',
        "import { contract } from '../../shared/contract.ts'\nexport const x = contract\n",
      ),
    ).toEqual([])
  })

  it('keep store slices from importing the store that assembles them', async () => {
    const probe = 'src/renderer/src/store/slices/probe-slice.ts'
    expect(
      await violations(probe, "import type { AppState } from '../app-store.ts'\nexport type X = AppState\n"),
    ).toEqual(expect.arrayContaining([expect.stringMatching(/do not import the store that assembles them/)]))
    expect(await violations(probe, "import { readFileSync } from 'node:fs'\nexport const x = readFileSync\n")).toEqual(
      expect.arrayContaining([expect.stringMatching(/Node built-ins/)]),
    )
    expect(
      await violations(probe, "import type { UiSlice } from './ui-slice.ts'\nexport type X = Pick<UiSlice, 'error'>\n"),
    ).toEqual([])
  })

  it('keep shared code free of every other layer', async () => {
    expect(
      await violations('src/shared/probe.ts', "import { x } from '../renderer/src/x.ts'\nexport const y = x\n"),
    ).toEqual(expect.arrayContaining([expect.stringMatching(/depends on nothing but zod/)]))
  })

  it('keep the contract and zod out of the preload bundle, but allow its types', async () => {
    expect(
      await violations(
        'src/preload/probe.ts',
        "import { isMethodName } from '../shared/contract.ts'\nexport const x = isMethodName\n",
      ),
    ).toEqual(expect.arrayContaining([expect.stringMatching(/only the generated contract-names\.ts/)]))
    expect(await violations('src/preload/probe.ts', "import { z } from 'zod'\nexport const x = z\n")).toEqual(
      expect.arrayContaining([expect.stringMatching(/no zod/)]),
    )
    expect(
      await violations(
        'src/preload/probe.ts',
        "import { CONTRACT_METHOD_NAMES } from '../shared/contract-names.ts'\nimport type { Envelope } from '../shared/envelope.ts'\nexport const x: Envelope<string[]> = { ok: true, value: [...CONTRACT_METHOD_NAMES] }\n",
      ),
    ).toEqual([])
  })

  it('keep electron out of the engine, web mode, emulator and CLI', async () => {
    for (const filePath of ['src/core/probe.ts', 'src/server/probe.ts', 'src/emulator/probe.ts', 'src/cli/probe.ts']) {
      expect(await violations(filePath, "import { app } from 'electron'\nexport const x = app\n")).toEqual(
        expect.arrayContaining([expect.stringMatching(/must not import electron/)]),
      )
    }
    expect(
      await violations('src/core/probe.ts', "import { x } from '../main/window.ts'\nexport const y = x\n"),
    ).toEqual(expect.arrayContaining([expect.stringMatching(/does not know its shells/)]))
  })

  it('keep the emulator out of the engine, and let the shells start it', async () => {
    for (const source of ['../emulator/demo.ts', '../emulator/index.ts', '../../emulator/crowd/crowd.ts']) {
      expect(await violations('src/core/probe.ts', `import { x } from '${source}'\nexport const y = x\n`)).toEqual(
        expect.arrayContaining([expect.stringMatching(/engine does not depend on the emulator/)]),
      )
    }
    // The rule adds to the engine's other boundaries rather than replacing them.
    expect(
      await violations('src/core/history/probe.ts', "import { app } from 'electron'\nexport const x = app\n"),
    ).toEqual(expect.arrayContaining([expect.stringMatching(/must not import electron/)]))
    for (const filePath of ['src/cli/commands/probe.ts', 'src/main/probe.ts']) {
      expect(
        await violations(
          filePath,
          "import { startDemoCrowd } from '../emulator/demo.ts'\nexport const x = startDemoCrowd\n",
        ),
      ).toEqual([])
    }
  })

  it('allow ipcMain only in the IPC binding and ipcRenderer only in the preload', async () => {
    const useIpcMain = "import { ipcMain } from 'electron'\nexport const x = ipcMain\n"
    const useIpcRenderer = "import { ipcRenderer } from 'electron'\nexport const x = ipcRenderer\n"
    expect(await violations('src/main/window.ts', useIpcMain)).toEqual(
      expect.arrayContaining([expect.stringMatching(/ipcMain is used only/)]),
    )
    expect(await violations('src/main/ipc.ts', useIpcMain)).toEqual([])
    expect(await violations('src/main/window.ts', useIpcRenderer)).toEqual(
      expect.arrayContaining([expect.stringMatching(/ipcRenderer is used only by the preload/)]),
    )
    expect(await violations('src/preload/index.ts', useIpcRenderer)).toEqual([])
    expect(await violations('src/preload/index.ts', useIpcMain)).toEqual(
      expect.arrayContaining([expect.stringMatching(/ipcMain is used only/)]),
    )
  })

  it('keep the participant client free of Node, zod and the rest of Headcount', async () => {
    const at = 'src/participant/probe.ts'
    expect(await violations(at, "import { readFileSync } from 'node:fs'\nexport const x = readFileSync\n")).toEqual(
      expect.arrayContaining([expect.stringMatching(/Node built-ins/)]),
    )
    expect(await violations(at, "import { z } from 'zod'\nexport const x = z\n")).toEqual(
      expect.arrayContaining([expect.stringMatching(/no dependencies into the browser/)]),
    )
    expect(await violations(at, "import { Engine } from '../core/engine.ts'\nexport const x = Engine\n")).toEqual(
      expect.arrayContaining([expect.stringMatching(/stands alone/)]),
    )
    expect(
      await violations(
        at,
        "import { createAuthorizer } from '../authorizer/index.ts'\nexport const x = createAuthorizer\n",
      ),
    ).toEqual(expect.arrayContaining([expect.stringMatching(/stands alone/)]))
    expect(
      await violations(
        at,
        "import { compileConvention } from '../shared/naming.ts'\nexport const x = compileConvention\n",
      ),
    ).toEqual(expect.arrayContaining([expect.stringMatching(/only shared\/channel-names/)]))
    expect(await violations(at, 'export const x = Buffer.from("a")\n')).toEqual(
      expect.arrayContaining([expect.stringMatching(/no-restricted-globals/)]),
    )
    expect(
      await violations(
        at,
        "import { fillChannelTemplate } from '../shared/channel-names.ts'\nimport type { RoomSummaryPayload } from '../shared/broadcast.ts'\nexport const x = fillChannelTemplate\nexport type Y = RoomSummaryPayload\n",
      ),
    ).toEqual([])
  })

  it('keep what the participant client takes from shared code free of every dependency', async () => {
    for (const at of ['src/shared/channel-names.ts', 'src/shared/pusher-limits.ts']) {
      expect(await violations(at, "import { z } from 'zod'\nexport const x = z\n")).toEqual(
        expect.arrayContaining([expect.stringMatching(/ship to browsers: no dependencies/)]),
      )
      expect(await violations(at, "import { contract } from './contract.ts'\nexport const x = contract\n")).toEqual(
        expect.arrayContaining([expect.stringMatching(/import only each other/)]),
      )
    }
    expect(
      await violations(
        'src/shared/channel-names.ts',
        "import { MAX_CHANNEL_NAME_LENGTH } from './pusher-limits.ts'\nexport const x = MAX_CHANNEL_NAME_LENGTH\n",
      ),
    ).toEqual([])
  })

  it('keep the authorizer to shared code and the pusher SDK', async () => {
    const at = 'src/authorizer/probe.ts'
    expect(await violations(at, "import { Engine } from '../core/engine.ts'\nexport const x = Engine\n")).toEqual(
      expect.arrayContaining([expect.stringMatching(/ships on its own/)]),
    )
    expect(await violations(at, "import { app } from 'electron'\nexport const x = app\n")).toEqual(
      expect.arrayContaining([expect.stringMatching(/must not import electron/)]),
    )
    expect(
      await violations(
        at,
        "import Pusher from 'pusher'\nimport { createServer } from 'node:http'\nimport { compileConvention } from '../shared/naming.ts'\nexport const x = [Pusher, createServer, compileConvention]\n",
      ),
    ).toEqual([])
  })

  it('forbid explicit any', async () => {
    expect(await violations('src/core/probe.ts', 'export function f(x: any): void {\n  void x\n}\n')).toEqual(
      expect.arrayContaining([expect.stringMatching(/no-explicit-any/)]),
    )
  })
})
