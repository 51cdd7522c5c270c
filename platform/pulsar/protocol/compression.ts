// Payload codecs (PROTOCOL.md §4.5). Only the payload is compressed, never MessageMetadata.
// Read: LZ4 (raw block), ZLIB (RFC 1950 stream), ZSTD (standard frame), SNAPPY (raw block).
// Write: all four. ZSTD is written by libzstd compiled to WebAssembly (@bokuweb/zstd-wasm: no
// native build; Node 20 has no zstd in node:zlib), loaded once by prepareCompression() because a
// wasm module starts asynchronously while compress() must stay synchronous.
import { constants as zlibConstants, deflateSync, inflateSync } from 'node:zlib';
import { decompress as zstdDecompress } from 'fzstd';
import { compress as snappyCompress } from 'snappyjs';
import { ClientErrorCode, PulsarError } from '../errors.ts';
import { CompressionType } from './proto.ts';
import { lz4CompressBlock, lz4DecompressBlock } from './lz4.ts';
import { snappyDecompressBlock } from './snappy.ts';

/** Uncompressed batches may exceed max_message_size; this bounds what a forged size can allocate. */
const DEFAULT_MAX_UNCOMPRESSED_SIZE = 64 * 1024 * 1024;

/** Level 3 is zstd's own default and Java's (ZSTD_CLEVEL_DEFAULT). */
const ZSTD_LEVEL = 3;
let zstdCompress: ((data: Uint8Array) => Uint8Array) | undefined;
let zstdLoading: Promise<void> | undefined;

/** Load what `type` needs before compress() is called with it (ZSTD's wasm module); idempotent. */
export async function prepareCompression(type: number): Promise<void> {
  if (type !== CompressionType.ZSTD || zstdCompress) return;
  zstdLoading ??= (async () => {
    const zstd = await import('@bokuweb/zstd-wasm');
    await zstd.init();
    zstdCompress = (data) => zstd.compress(data, ZSTD_LEVEL);
  })();
  try {
    await zstdLoading;
  } catch (err) {
    zstdLoading = undefined;
    throw new PulsarError(ClientErrorCode.InvalidConfiguration, 'cannot load the ZSTD compressor (@bokuweb/zstd-wasm)', { cause: err });
  }
}

export function compress(type: number, data: Uint8Array): Uint8Array {
  switch (type) {
    case CompressionType.NONE: return data;
    case CompressionType.LZ4: return lz4CompressBlock(data);
    case CompressionType.ZLIB: return deflateSync(data);
    case CompressionType.SNAPPY: return snappyCompress(data);
    case CompressionType.ZSTD:
      if (!zstdCompress) throw new PulsarError(ClientErrorCode.InvalidConfiguration, 'ZSTD compressor not loaded: prepareCompression(ZSTD) first');
      return zstdCompress(data);
    default:
      throw new PulsarError(ClientErrorCode.InvalidConfiguration, `compression type ${type} cannot be written by this client`);
  }
}

export function decompress(type: number, data: Uint8Array, uncompressedSize: number, maxSize = DEFAULT_MAX_UNCOMPRESSED_SIZE): Uint8Array {
  if (type === CompressionType.NONE) return data;
  if (uncompressedSize > maxSize) {
    throw new PulsarError(ClientErrorCode.Decompression, `uncompressed size ${uncompressedSize} exceeds ${maxSize}`);
  }
  let out: Uint8Array;
  try {
    switch (type) {
      case CompressionType.LZ4: out = lz4DecompressBlock(data, uncompressedSize); break;
      // Java's codec deflates with SYNC_FLUSH and never finishes the stream (no final block,
      // no Adler-32 trailer), so inflate must not demand the end of the stream.
      case CompressionType.ZLIB:
        out = inflateSync(data, { maxOutputLength: Math.max(1, uncompressedSize), finishFlush: zlibConstants.Z_SYNC_FLUSH });
        break;
      case CompressionType.ZSTD: out = zstdDecompress(data, new Uint8Array(uncompressedSize)); break;
      case CompressionType.SNAPPY: out = snappyDecompressBlock(data, uncompressedSize); break;
      default: throw new Error(`unknown compression type ${type}`);
    }
  } catch (err) {
    throw new PulsarError(ClientErrorCode.Decompression, `cannot decompress payload (codec ${type})`, { cause: err });
  }
  if (out.length !== uncompressedSize) {
    throw new PulsarError(ClientErrorCode.Decompression, `decompressed ${out.length} bytes, metadata says ${uncompressedSize}`);
  }
  return out;
}
