/**
 * PostgreSQL's settings for the embedded database, sized for one process
 * with one connection (PGlite's own defaults are a server's). Its buffer pool
 * lives in the WebAssembly heap, which never shrinks: 128 MB of shared
 * buffers made most of an idle `npm start`'s memory. 16 MB still holds a
 * small installation's hot pages, and a miss is a read from the kernel's page
 * cache, not the disk (bench/idle-memory.ts measures the memory).
 */
export const EMBEDDED_SETTINGS: readonly string[] = ['-c', 'shared_buffers=16MB'];
