// Electronegativity fetches translations and Electron's release list with `got`; these machines have
// no internet, and a failed fetch leaves a retry timer that crashes the process later. This preload
// answers every such request with an immediate "offline" error, which the tool already handles.
const Module = require('node:module')
const originalLoad = Module._load

function offline() {
  return Promise.reject(new Error('offline: network access is disabled for the security scan'))
}
const got = Object.assign(offline, { get: offline, head: offline, post: offline, extend: () => got })

Module._load = function load(request, parent, isMain) {
  if (request === 'got') return got
  return originalLoad.call(this, request, parent, isMain)
}
