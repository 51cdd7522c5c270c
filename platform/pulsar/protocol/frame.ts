// Frame encoding (PROTOCOL.md §1.1, §1.2). All sizes outside protobuf are big-endian u32/u16.
//   simple:  [totalSize][commandSize][BaseCommand]
//   payload: [totalSize][commandSize][BaseCommand][0x0e01][crc32c][metadataSize][MessageMetadata][payload]
// totalSize counts every byte after itself; the CRC32C covers [metadataSize .. end of frame].
import { writeBatchParts, type BatchParts } from './batch.ts';
import { crc32c } from './crc32c.ts';
import { encodeCommand, type BaseCommand } from './proto.ts';

export const MAGIC_CRC32C = 0x0e01;
export const MAGIC_BROKER_ENTRY_METADATA = 0x0e02;
/** Broker default maxMessageSize (PROTOCOL.md §1.3). */
export const DEFAULT_MAX_MESSAGE_SIZE = 5 * 1024 * 1024;
/** Frame padding on top of the message size limit (MESSAGE_SIZE_FRAME_PADDING, PROTOCOL.md §1.3). */
export const FRAME_PADDING = 10 * 1024;

export function encodeSimpleFrame(cmd: BaseCommand): Buffer {
  const body = encodeCommand(cmd);
  const out = Buffer.allocUnsafe(8 + body.length);
  out.writeUInt32BE(4 + body.length, 0);
  out.writeUInt32BE(body.length, 4);
  out.set(body, 8);
  return out;
}

/**
 * A SEND frame; `metadata` is already-encoded MessageMetadata, `payload` already compressed, or
 * an uncompressed batch's parts, laid out here directly.
 */
export function encodePayloadFrame(cmd: BaseCommand, metadata: Uint8Array, payload: Uint8Array | BatchParts): Buffer {
  const body = encodeCommand(cmd);
  const payloadSize = payload instanceof Uint8Array ? payload.length : payload.size;
  const total = 4 + body.length + 2 + 4 + 4 + metadata.length + payloadSize;
  const out = Buffer.allocUnsafe(4 + total);
  let pos = 0;
  out.writeUInt32BE(total, pos); pos += 4;
  out.writeUInt32BE(body.length, pos); pos += 4;
  out.set(body, pos); pos += body.length;
  out.writeUInt16BE(MAGIC_CRC32C, pos); pos += 2;
  const crcAt = pos; pos += 4;
  const checksumStart = pos;
  out.writeUInt32BE(metadata.length, pos); pos += 4;
  out.set(metadata, pos); pos += metadata.length;
  if (payload instanceof Uint8Array) out.set(payload, pos);
  else writeBatchParts(payload, out, pos);
  out.writeUInt32BE(crc32c(out, 0, checksumStart, out.length), crcAt);
  return out;
}
