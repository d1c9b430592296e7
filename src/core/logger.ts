/** The little the engine needs from a logger; `console` fits, tests pass a silent one. */
export interface Logger {
  info(message: string, ...details: unknown[]): void
  warn(message: string, ...details: unknown[]): void
  error(message: string, ...details: unknown[]): void
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} }

export const consoleLogger: Logger = {
  info: (message, ...details) => console.info(`[headcount] ${message}`, ...details),
  warn: (message, ...details) => console.warn(`[headcount] ${message}`, ...details),
  error: (message, ...details) => console.error(`[headcount] ${message}`, ...details),
}
