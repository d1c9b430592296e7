// The crowd simulator: who is where and when (crowd, population, friends), and the two ways of putting
// that crowd into the emulator (injected members, or real pusher-js clients).
export { Crowd, type CrowdChange, type CrowdOptions } from './crowd.ts'
export { Population, DEFAULT_ROOM_SKEW, MAX_ROOMS, type PopulationOptions } from './population.ts'
export { FriendGraph, buildFriendGraph, friendsCsvChunks, writeFriendsCsv, type FriendGraphOptions } from './friends.ts'
export { InjectedCrowdDriver, type InjectionTarget, type InjectedMember } from './injected-driver.ts'
export {
  SocketCrowdDriver,
  MAX_SOCKET_CONNECTIONS,
  MAX_SOCKET_MEMBERS,
  type SocketDriverOptions,
} from './socket-driver.ts'
export { CHANNEL_PREFIX, SEPARATOR, channelName, groupNamesProblem, isValidChannelName, isValidId } from './naming.ts'
export { Random, randomSeed } from './random.ts'
export { ZipfSampler } from './zipf.ts'
