// glibc's malloc hands out blocks of 128 KB or more as fresh mappings, which go back to the system when
// freed. But the first time such a block is freed, it raises that limit to the block's size (up to
// 32 MB), so from then on blocks up to that size come from its heap, where a freed block stays part of
// the process unless it happens to sit at the heap's top. The engine's presence state is made of such
// blocks (the tables' pages, the channel lists' bodies), freed and made again as tables grow and as a
// monitor is replaced; after the first is freed, their successors fragment the heap. A first sync of a
// million people then peaked 8 MB higher, and a second first sync in the same process (a reconnection,
// a changed convention) 20 MB higher than with the limit fixed at its first value.
//
// glibc reads the limit only as a process starts, from its environment (setting it also stops the
// raising); bin/headcount.mjs restarts `serve` and `snapshot` in place (execve, same process id) with it
// set when it isn't. Other C libraries ignore the variable. The desktop app's main process is Electron's,
// whose ArrayBuffers live in V8's memory cage rather than in malloc's heap (it can't be measured here).

/** The environment that fixes glibc's mmap threshold at its initial 128 KB (bin/headcount.mjs spells it out too). */
export const FIXED_MMAP_THRESHOLD_ENV = { MALLOC_MMAP_THRESHOLD_: '131072' } as const
