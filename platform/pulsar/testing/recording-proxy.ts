// A recording TCP proxy for the Pulsar binary protocol: listens on loopback, forwards each
// client connection to a broker and records every frame in both directions, split only by the
// 4-byte totalSize prefix (PROTOCOL.md §1.1) — recording decodes nothing, so what is recorded is
// exactly what the other side sent.
//
// Staying in the path: a LOOKUP_RESPONSE names the broker's own advertised address, and a
// client connects there directly unless the answer carries `proxy_through_service_url`, in which
// case the Java client keeps using the service URL (us) and names the broker in
// CONNECT.proxy_to_broker_url, which a broker ignores. The stack's standalone brokers (Pulsar
// 4.0.8) already set that flag in their Connect answers (the recorded bytes end `.. 40 01`), so
// every connection, the transaction coordinator's included, came through the proxy untouched.
// For brokers that do not, `proxyLookups` sets it in the copy forwarded to the client; the
// recording always keeps the broker's original bytes.
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { CommandType, decodeCommand, encodeSimpleFrame } from '../protocol/index.ts';

export type FrameDirection = 'client-to-broker' | 'broker-to-client';

/** One recorded frame: the whole frame including its totalSize prefix, as hex. */
export interface RecordedFrame {
  /** Connection number, in the order clients connected (0-based). */
  connection: number;
  direction: FrameDirection;
  hex: string;
}

export interface RecordingProxyOptions {
  brokerHost: string;
  brokerPort: number;
  /** Loopback port to listen on; 0 picks a free one. */
  port?: number;
  /** Rewrite LOOKUP_RESPONSEs so the client stays on this proxy (see the header). */
  proxyLookups?: boolean;
}

/** Splits a byte stream into whole frames by their totalSize prefix, without decoding them. */
export class FrameSplitter {
  #pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Buffer[] {
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    const frames: Buffer[] = [];
    while (this.#pending.length >= 4) {
      const size = 4 + this.#pending.readUInt32BE(0);
      if (this.#pending.length < size) break;
      frames.push(this.#pending.subarray(0, size));
      this.#pending = this.#pending.subarray(size);
    }
    return frames;
  }

  get pendingBytes(): number {
    return this.#pending.length;
  }
}

/** Re-frames a LOOKUP_RESPONSE with proxy_through_service_url set; other frames pass unchanged. */
export function proxyLookupResponse(frame: Buffer): Buffer {
  const commandSize = frame.readUInt32BE(4);
  // A LOOKUP_RESPONSE is a simple frame: nothing follows the command.
  if (8 + commandSize !== frame.length) return frame;
  const command = decodeCommand(frame.subarray(8));
  if (command.type !== CommandType.LOOKUP_RESPONSE || !command.lookupTopicResponse) return frame;
  command.lookupTopicResponse.proxyThroughServiceUrl = true;
  return encodeSimpleFrame(command);
}

export class RecordingProxy {
  readonly frames: RecordedFrame[] = [];
  #server: Server;
  #sockets = new Set<Socket>();
  #connections = 0;
  #options: RecordingProxyOptions;

  private constructor(server: Server, options: RecordingProxyOptions) {
    this.#server = server;
    this.#options = options;
  }

  static async start(options: RecordingProxyOptions): Promise<RecordingProxy> {
    const server = createServer();
    const proxy = new RecordingProxy(server, options);
    server.on('connection', (client) => proxy.#accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    return proxy;
  }

  get port(): number {
    const address = this.#server.address();
    if (address === null || typeof address === 'string') throw new Error('recording proxy is not listening');
    return address.port;
  }

  get serviceUrl(): string {
    return `pulsar://127.0.0.1:${this.port}`;
  }

  #accept(client: Socket): void {
    const connection = this.#connections++;
    const broker = createConnection({ host: this.#options.brokerHost, port: this.#options.brokerPort });
    this.#sockets.add(client).add(broker);
    const fromClient = new FrameSplitter();
    const fromBroker = new FrameSplitter();
    client.on('data', (chunk: Buffer) => {
      for (const frame of fromClient.push(chunk)) {
        this.frames.push({ connection, direction: 'client-to-broker', hex: frame.toString('hex') });
        broker.write(frame);
      }
    });
    broker.on('data', (chunk: Buffer) => {
      for (const frame of fromBroker.push(chunk)) {
        this.frames.push({ connection, direction: 'broker-to-client', hex: frame.toString('hex') });
        client.write(this.#options.proxyLookups ? proxyLookupResponse(frame) : frame);
      }
    });
    const closeBoth = () => {
      client.destroy();
      broker.destroy();
      this.#sockets.delete(client);
      this.#sockets.delete(broker);
    };
    client.on('close', closeBoth).on('error', closeBoth);
    broker.on('close', closeBoth).on('error', closeBoth);
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
