// The wire layer: no sockets here. Connections and clients import from this index only.
export * from './proto.ts';
export * from './frame.ts';
export * from './parser.ts';
export * from './crc32c.ts';
export * from './batch.ts';
export * from './compression.ts';
