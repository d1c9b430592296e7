import type { Configuration } from 'electron-builder'

/**
 * Installers for operator workstations: `npm run dist` (after `npm run build`) writes them to dist/.
 * Building them downloads Electron and the target tools (NSIS, AppImage, dmg) at build time, so it
 * needs a machine with internet access; nothing here is fetched at install or run time.
 */
const config: Configuration = {
  appId: 'io.headcount.console',
  productName: 'Headcount',
  copyright: 'Copyright © Headcount contributors',
  directories: { output: 'dist', buildResources: 'resources' },
  // Only what the desktop app runs: the three electron-vite builds and the window icon. The runtime
  // `dependencies` (external to out/main) are added by electron-builder; the patterns below drop
  // from them what nothing loads at run time (type declarations, TypeScript sources, maps, docs).
  files: [
    'out/main/**',
    'out/preload/**',
    'out/renderer/**',
    'resources/icon.png',
    '!**/*.map',
    '!**/node_modules/@types/**',
    '!**/node_modules/undici-types/**',
    '!**/node_modules/**/*.{ts,mts,cts,md,markdown}',
    '!**/node_modules/**/{src,spec,test,tests,__tests__,integration_tests_server,webpack,types}/**',
    '!**/node_modules/**/{tsconfig.json,Makefile,bower.json,.eslintrc,.eslintrc.json,.editorconfig}',
    // pusher-js ships builds for browsers, workers and React Native; the main process loads dist/node.
    '!**/node_modules/pusher-js/dist/{web,worker,react-native}/**',
    // recheck's agents: a binary can't be spawned from inside app.asar and the archive needs Java, so in
    // the desktop app recheck checks regex conventions in its worker thread instead.
    '!**/node_modules/recheck-{jar,linux-x64,linux-arm64,macos-x64,macos-arm64,windows-x64}/**',
  ],
  asar: true,
  // No native modules: nothing to rebuild against Electron's headers.
  npmRebuild: false,
  // Electron's security checklist: flip the fuses that turn off ways to run the app binary as
  // something else (plain Node, NODE_OPTIONS, --inspect) and load only the integrity-checked asar.
  electronFuses: {
    runAsNode: false,
    enableCookieEncryption: true,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    enableEmbeddedAsarIntegrityValidation: true,
    onlyLoadAppFromAsar: true,
  },
  linux: {
    target: ['AppImage', 'deb'],
    category: 'Network',
    executableName: 'headcount',
    icon: 'resources/icons',
    maintainer: 'Headcount contributors <maintainers@headcount.invalid>',
    synopsis: 'Occupancy console for very large groups on Pusher Channels',
  },
  deb: { packageCategory: 'net' },
  appImage: { artifactName: '${productName}-${version}-${arch}.${ext}' },
  win: { target: ['nsis'], icon: 'resources/icon.ico' },
  nsis: {
    oneClick: false,
    perMachine: false,
    allowToChangeInstallationDirectory: true,
    artifactName: '${productName}-Setup-${version}-${arch}.${ext}',
  },
  mac: { target: ['dmg'], category: 'public.app-category.developer-tools', icon: 'resources/icon.icns' },
  dmg: { artifactName: '${productName}-${version}-${arch}.${ext}' },
}

export default config
