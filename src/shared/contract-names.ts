// Generated from src/shared/contract.ts by `npm run generate:contract-names`; do not edit.
// contract-names.test.ts fails when these lists and the contract disagree.

/** Every method name of the contract, without its schemas. */
export const CONTRACT_METHOD_NAMES: readonly string[] = [
  'app.info',
  'status.get',
  'settings.get',
  'settings.update',
  'profiles.list',
  'profiles.save',
  'profiles.delete',
  'profiles.test',
  'connection.connect',
  'connection.disconnect',
  'sync.now',
  'convention.set',
  'convention.preview',
  'sync.setOptions',
  'rooms.list',
  'room.detail',
  'history.series',
  'history.groups',
  'history.rooms',
  'export.start',
  'export.cancel',
  'export.saveAs',
  'export.saveFile',
  'broadcast.set',
  'broadcast.preview',
  'friends.import',
  'friends.get',
  'friends.clear',
  'friends.of',
  'alerts.saveRule',
  'alerts.deleteRule',
  'alerts.log',
  'demo.start',
  'demo.stop',
  'engine.get',
  'engine.useRemote',
  'engine.useLocal',
]

/** Every event name of the contract, without its schemas. */
export const CONTRACT_EVENT_NAMES: readonly string[] = [
  'status',
  'engine',
  'tick',
  'settings.changed',
  'export.progress',
  'alert',
]
