// Batch payload (PROTOCOL.md §4.4), before compression:
//   repeat N times: [singleMetaSize:u32][SingleMessageMetadata][payload (payload_size bytes)]
// N is MessageMetadata.num_messages_in_batch; its *presence* marks the batch format.
import { ClientErrorCode, PulsarError } from '../errors.ts';
import { SingleMessageMetadataType, type SingleMessageMetadata } from './proto.ts';
import type protobuf from 'protobufjs';

export interface BatchEntry {
  metadata: SingleMessageMetadata;
  payload: Uint8Array;
}

function encodeSingleMetadata(md: SingleMessageMetadata): Uint8Array {
  return SingleMessageMetadataType.encode(md as unknown as protobuf.Message).finish();
}

/**
 * A batch payload not yet laid out in one buffer: each entry's encoded SingleMessageMetadata
 * and its payload. encodePayloadFrame writes it straight into the frame, so an uncompressed
 * batch is copied once instead of twice.
 */
export interface BatchParts {
  metas: Uint8Array[];
  payloads: Uint8Array[];
  /** Bytes once laid out: a 4-byte size, the metadata and the payload per entry. */
  size: number;
}

export function encodeBatchParts(entries: readonly BatchEntry[]): BatchParts {
  const metas: Uint8Array[] = new Array(entries.length);
  const payloads: Uint8Array[] = new Array(entries.length);
  let size = 0;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    const meta = encodeSingleMetadata(e.metadata.payloadSize === e.payload.length ? e.metadata : { ...e.metadata, payloadSize: e.payload.length });
    metas[i] = meta;
    payloads[i] = e.payload;
    size += 4 + meta.length + e.payload.length;
  }
  return { metas, payloads, size };
}

/** Lays `parts` out at `out[pos..]`; returns the position after them. */
export function writeBatchParts(parts: BatchParts, out: Buffer, pos: number): number {
  const { metas, payloads } = parts;
  for (let i = 0; i < metas.length; i++) {
    const meta = metas[i]!;
    const payload = payloads[i]!;
    out.writeUInt32BE(meta.length, pos); pos += 4;
    out.set(meta, pos); pos += meta.length;
    out.set(payload, pos); pos += payload.length;
  }
  return pos;
}

/** The batch payload in one buffer (to compress it, or for tests); pass `parts` if already encoded. */
export function encodeBatch(entries: readonly BatchEntry[], parts = encodeBatchParts(entries)): Buffer {
  const out = Buffer.allocUnsafe(parts.size);
  writeBatchParts(parts, out, 0);
  return out;
}

function fail(what: string, cause?: unknown): never {
  throw new PulsarError(ClientErrorCode.BatchDecode, `malformed batch: ${what}`, { cause });
}

export function decodeBatch(data: Uint8Array, count: number): BatchEntry[] {
  // Every entry takes at least its 4-byte size, so a forged count cannot outgrow the data.
  if (!Number.isInteger(count) || count < 0 || count * 4 > data.length) fail(`count ${count} for ${data.length} bytes`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const entries: BatchEntry[] = [];
  let pos = 0;
  for (let i = 0; i < count; i++) {
    if (data.length - pos < 4) fail(`entry ${i} truncated`);
    const metaSize = view.getUint32(pos);
    pos += 4;
    if (metaSize > data.length - pos) fail(`entry ${i} metadata size ${metaSize}`);
    let metadata: SingleMessageMetadata;
    try {
      metadata = SingleMessageMetadataType.decode(data.subarray(pos, pos + metaSize)) as unknown as SingleMessageMetadata;
    } catch (err) {
      fail(`entry ${i} metadata`, err);
    }
    pos += metaSize;
    const size = metadata.payloadSize;
    if (size < 0 || size > data.length - pos) fail(`entry ${i} payload size ${size}`);
    entries.push({ metadata, payload: data.subarray(pos, pos + size) });
    pos += size;
  }
  return entries;
}
