import { createConnection, createServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CommandType, FrameParser, encodeSimpleFrame, toLong } from '../protocol/index.ts';
import { FrameSplitter, RecordingProxy, proxyLookupResponse } from './recording-proxy.ts';

const ping = encodeSimpleFrame({ type: CommandType.PING, ping: {} });
const lookup = encodeSimpleFrame({
  type: CommandType.LOOKUP_RESPONSE,
  lookupTopicResponse: { brokerServiceUrl: 'pulsar://127.0.0.1:6650', response: 1, requestId: toLong(3n), authoritative: true },
});

describe('FrameSplitter', () => {
  it('splits a byte stream by the length prefix whatever the chunking', () => {
    const stream = Buffer.concat([ping, lookup, ping]);
    for (let step = 1; step <= stream.length; step++) {
      const splitter = new FrameSplitter();
      const frames: Buffer[] = [];
      for (let i = 0; i < stream.length; i += step) frames.push(...splitter.push(stream.subarray(i, i + step)));
      expect(frames.map((f) => f.toString('hex'))).toEqual([ping, lookup, ping].map((f) => f.toString('hex')));
      expect(splitter.pendingBytes).toBe(0);
    }
  });
});

describe('proxyLookupResponse', () => {
  it('sets proxy_through_service_url on a LOOKUP_RESPONSE and passes other frames unchanged', () => {
    const [rewritten] = new FrameParser().push(proxyLookupResponse(lookup));
    expect(rewritten!.command.lookupTopicResponse!.proxyThroughServiceUrl).toBe(true);
    expect(rewritten!.command.lookupTopicResponse!.brokerServiceUrl).toBe('pulsar://127.0.0.1:6650');
    expect(proxyLookupResponse(ping)).toBe(ping);
  });
});

describe('RecordingProxy', () => {
  let cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.reverse()) await c();
    cleanup = [];
  });

  it('forwards both ways and records the broker\'s original bytes', async () => {
    // A "broker" that answers any frame with a LOOKUP_RESPONSE.
    const broker = createServer((socket: Socket) => socket.on('data', () => socket.write(lookup)));
    await new Promise<void>((resolve) => broker.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise((resolve) => broker.close(() => resolve())));
    const port = (broker.address() as { port: number }).port;
    const proxy = await RecordingProxy.start({ brokerHost: '127.0.0.1', brokerPort: port, proxyLookups: true });
    cleanup.push(() => proxy.close());

    const client = createConnection({ host: '127.0.0.1', port: proxy.port });
    cleanup.push(async () => { client.destroy(); });
    const received = new Promise<Buffer>((resolve) => client.once('data', resolve));
    client.write(ping);
    const [frame] = new FrameParser().push(await received);
    expect(frame!.command.lookupTopicResponse!.proxyThroughServiceUrl).toBe(true);
    expect(proxy.frames).toEqual([
      { connection: 0, direction: 'client-to-broker', hex: ping.toString('hex') },
      { connection: 0, direction: 'broker-to-client', hex: lookup.toString('hex') },
    ]);
  });
});
