// Incremental frame parser: a pure state machine fed arbitrary chunks (no socket), in the
// manner of nats.js core/src/parser.ts. The network is hostile (DESIGN.md): sizes are checked
// before anything is allocated, so a forged length cannot make us buffer more than one frame
// of at most `maxFrameSize` bytes, and every malformation raises a PulsarProtocolError.
import { ClientErrorCode, PulsarError, PulsarProtocolError } from '../errors.ts';
import { crc32c } from './crc32c.ts';
import { DEFAULT_MAX_MESSAGE_SIZE, FRAME_PADDING, MAGIC_BROKER_ENTRY_METADATA, MAGIC_CRC32C } from './frame.ts';
import {
  BrokerEntryMetadataType, COMMAND_FIELD, decodeCommand, decodeMetadata, has,
  type BaseCommand, type BrokerEntryMetadata, type MessageMetadata,
} from './proto.ts';

export interface PayloadSection {
  brokerEntryMetadata?: BrokerEntryMetadata;
  /** Absent when the metadata bytes could not be decoded; see `error`. */
  metadata?: MessageMetadata;
  /** The (possibly compressed) payload after the metadata. */
  payload: Uint8Array;
  /** false on a CRC32C mismatch; undefined when the sender included no checksum (allowed, §1.2). */
  checksumValid?: boolean;
  /** A per-message problem (bad metadata or checksum): the message is reported, not the connection. */
  error?: PulsarError;
}

export interface Frame {
  command: BaseCommand;
  payload?: PayloadSection;
}

export interface FrameParserOptions {
  /** Largest frame accepted (bytes after totalSize). Default 5 MiB + 10 KiB padding (§1.3). */
  maxFrameSize?: number;
}

const State = { Header: 0, Body: 1, Failed: 2 } as const;
type State = (typeof State)[keyof typeof State];

export class FrameParser {
  #maxFrameSize: number;
  #state: State = State.Header;
  #header = Buffer.alloc(4);
  #headerFill = 0;
  #body: Buffer | null = null;
  #bodyFill = 0;
  #failure: PulsarError | null = null;

  constructor(options: FrameParserOptions = {}) {
    this.#maxFrameSize = options.maxFrameSize ?? DEFAULT_MAX_MESSAGE_SIZE + FRAME_PADDING;
  }

  /** The broker announces its limit in CONNECTED.max_message_size; frames may be that plus padding. */
  setMaxMessageSize(maxMessageSize: number): void {
    if (maxMessageSize > 0) this.#maxFrameSize = maxMessageSize + FRAME_PADDING;
  }

  /** Feed bytes; returns every frame completed by them. Throws PulsarProtocolError, then stays failed. */
  push(chunk: Uint8Array): Frame[] {
    if (this.#state === State.Failed) throw this.#failure!;
    const frames: Frame[] = [];
    try {
      this.#consume(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength), frames);
    } catch (err) {
      this.#state = State.Failed;
      this.#failure = err instanceof PulsarError ? err : new PulsarProtocolError('malformed frame', { cause: err });
      throw this.#failure;
    }
    return frames;
  }

  #consume(chunk: Buffer, frames: Frame[]): void {
    let pos = 0;
    while (pos < chunk.length) {
      if (this.#state === State.Header) {
        // Fast path: a whole frame inside this chunk is decoded in place, without copying.
        if (this.#headerFill === 0 && chunk.length - pos >= 4) {
          const total = this.#checkSize(chunk.readUInt32BE(pos));
          if (chunk.length - pos - 4 >= total) {
            frames.push(decodeFrameBody(chunk.subarray(pos + 4, pos + 4 + total)));
            pos += 4 + total;
            continue;
          }
        }
        const take = Math.min(4 - this.#headerFill, chunk.length - pos);
        chunk.copy(this.#header, this.#headerFill, pos, pos + take);
        this.#headerFill += take;
        pos += take;
        if (this.#headerFill === 4) {
          const total = this.#checkSize(this.#header.readUInt32BE(0));
          this.#body = Buffer.allocUnsafe(total);
          this.#bodyFill = 0;
          this.#state = State.Body;
        }
      } else {
        const body = this.#body!;
        const take = Math.min(body.length - this.#bodyFill, chunk.length - pos);
        chunk.copy(body, this.#bodyFill, pos, pos + take);
        this.#bodyFill += take;
        pos += take;
        if (this.#bodyFill === body.length) {
          this.#body = null;
          this.#headerFill = 0;
          this.#state = State.Header;
          frames.push(decodeFrameBody(body));
        }
      }
    }
  }

  #checkSize(total: number): number {
    if (total > this.#maxFrameSize) {
      throw new PulsarProtocolError(`frame of ${total} bytes exceeds the limit of ${this.#maxFrameSize}`, {
        code: ClientErrorCode.FrameTooLarge,
      });
    }
    // At least the 4-byte commandSize must follow.
    if (total < 4) throw new PulsarProtocolError(`frame size ${total} is too small`);
    return total;
  }
}

function need(ok: boolean, what: string): void {
  if (!ok) throw new PulsarProtocolError(`malformed frame: ${what}`);
}

/** Decode the bytes that follow totalSize. */
function decodeFrameBody(body: Buffer): Frame {
  need(body.length >= 4, 'no command size');
  const commandSize = body.readUInt32BE(0);
  need(commandSize <= body.length - 4, `command size ${commandSize} exceeds frame`);
  let command: BaseCommand;
  try {
    command = decodeCommand(body.subarray(4, 4 + commandSize));
  } catch (err) {
    throw new PulsarProtocolError('undecodable command', { cause: err });
  }
  const field = COMMAND_FIELD[command.type];
  need(field === undefined || has(command, field), `command type ${command.type} without its body`);
  let pos = 4 + commandSize;
  if (pos === body.length) return { command };

  const section: PayloadSection = { payload: Buffer.alloc(0) };
  if (body.length - pos >= 2 && body.readUInt16BE(pos) === MAGIC_BROKER_ENTRY_METADATA) {
    need(body.length - pos >= 6, 'truncated broker entry metadata');
    const size = body.readUInt32BE(pos + 2);
    need(size <= body.length - pos - 6, 'broker entry metadata exceeds frame');
    try {
      section.brokerEntryMetadata = BrokerEntryMetadataType.decode(body.subarray(pos + 6, pos + 6 + size)) as BrokerEntryMetadata;
    } catch (err) {
      throw new PulsarProtocolError('undecodable broker entry metadata', { cause: err });
    }
    pos += 6 + size;
  }
  let expected: number | undefined;
  if (body.length - pos >= 2 && body.readUInt16BE(pos) === MAGIC_CRC32C) {
    need(body.length - pos >= 6, 'truncated checksum');
    expected = body.readUInt32BE(pos + 2);
    pos += 6;
  }
  need(body.length - pos >= 4, 'no metadata size');
  const checksumStart = pos;
  const metadataSize = body.readUInt32BE(pos);
  need(metadataSize <= body.length - pos - 4, `metadata size ${metadataSize} exceeds frame`);
  const metadataBytes = body.subarray(pos + 4, pos + 4 + metadataSize);
  section.payload = body.subarray(pos + 4 + metadataSize);
  if (expected !== undefined) {
    section.checksumValid = crc32c(body, 0, checksumStart, body.length) === expected;
    if (!section.checksumValid) {
      section.error = new PulsarError(ClientErrorCode.ChecksumMismatch, 'message checksum mismatch');
    }
  }
  try {
    section.metadata = decodeMetadata(metadataBytes);
  } catch (err) {
    section.error ??= new PulsarError(ClientErrorCode.BatchDecode, 'undecodable message metadata', { cause: err });
  }
  return { command, payload: section };
}
