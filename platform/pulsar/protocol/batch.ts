// Batch payload (reference §4.4), before compression:
//   repeat N times: [singleMetaSize:u32][SingleMessageMetadata][payload (payload_size bytes)]
// N is MessageMetadata.num_messages_in_batch; its *presence* marks the batch format.
import { ClientErrorCode, PulsarError } from '../errors.ts';
import { SingleMessageMetadataType, type SingleMessageMetadata } from './proto.ts';
import type protobuf from 'protobufjs';

export interface BatchEntry {
  metadata: SingleMessageMetadata;
  payload: Uint8Array;
}

export function encodeSingleMetadata(md: SingleMessageMetadata): Uint8Array {
  return SingleMessageMetadataType.encode(md as unknown as protobuf.Message).finish();
}

export function encodeBatch(entries: readonly BatchEntry[]): Buffer {
  const metas = entries.map((e) => encodeSingleMetadata({ ...e.metadata, payloadSize: e.payload.length }));
  let size = 0;
  for (let i = 0; i < entries.length; i++) size += 4 + metas[i]!.length + entries[i]!.payload.length;
  const out = Buffer.allocUnsafe(size);
  let pos = 0;
  for (let i = 0; i < entries.length; i++) {
    const meta = metas[i]!;
    out.writeUInt32BE(meta.length, pos); pos += 4;
    out.set(meta, pos); pos += meta.length;
    out.set(entries[i]!.payload, pos); pos += entries[i]!.payload.length;
  }
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
