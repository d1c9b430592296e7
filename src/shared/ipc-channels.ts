/**
 * Electron IPC channel names, derived from contract names so nothing is kept by hand. The `headcount:`
 * prefix lets the main process recognise (and only answer) its own channels.
 */
export const IPC_PREFIX = 'headcount:'

export function callChannel(method: string): string {
  return `${IPC_PREFIX}call:${method}`
}

export function eventChannel(event: string): string {
  return `${IPC_PREFIX}event:${event}`
}
