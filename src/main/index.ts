// The desktop app's main process, which also runs the engine. V8's young generation is held at its
// first size before the app's modules load (src/core/young-generation.ts says why); then the app starts.
import { join } from 'node:path'
import { holdYoungGeneration } from '../core/young-generation.ts'

holdYoungGeneration()
const { startApp } = await import('./app.ts')
// Built as ESM into out/main; the preload and renderer sit beside it in out/.
startApp(join(import.meta.dirname, '..'))
