/** Structured clone turns Buffers into plain Uint8Arrays: a Buffer over the same memory. */
export const asBuffer = (u: Uint8Array): Buffer => (Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength));
