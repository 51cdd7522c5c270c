// One TCP (or TLS) connection to a broker: handshake, request/response correlation by
// request_id, keep-alive, and dispatch of producer/consumer frames by their ids. Framing is
// the protocol folder's job; what commands mean is the producer's and consumer's job (kafkajs
// keeps network/connection apart from protocol meaning the same way).
import net from 'node:net';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import Long from 'long';
import {
  ClientErrorCode, PulsarConnectionError, PulsarError, PulsarProtocolError, PulsarTimeoutError, serverError,
} from '../errors.ts';
import { silentLogger, type Instrumentation, type Logger } from '../instrumentation.ts';
import {
  COMMAND_FIELD, CommandType, FrameParser, encodeSimpleFrame, has, toBigInt,
  type BaseCommand, type Frame, type PayloadSection,
} from '../protocol/index.ts';
import type { AuthProvider } from './auth.ts';
import { addressKey, type BrokerAddress } from './service-url.ts';

/** We announce v20 like the Go client: ≥ 19 is needed for transactions, and we handle TOPIC_MIGRATED (§2). */
const PROTOCOL_VERSION = 20;
const CLIENT_VERSION = 'lodestar-pulsar-ts-0.1';

export interface ProducerHandler {
  onSendReceipt(cmd: NonNullable<BaseCommand['sendReceipt']>): void;
  onSendError(cmd: NonNullable<BaseCommand['sendError']>): void;
  /** The broker closed this producer (unload, migration): reconnect it. */
  onBrokerClose(assignedUrl?: string): void;
  onConnectionClosed(err: PulsarError): void;
}

export interface ConsumerHandler {
  onMessage(cmd: NonNullable<BaseCommand['message']>, payload: PayloadSection | undefined): void;
  onActiveChange?(active: boolean): void;
  onEndOfTopic?(): void;
  onBrokerClose(assignedUrl?: string): void;
  onConnectionClosed(err: PulsarError): void;
}

export interface ConnectionOptions {
  physical: BrokerAddress;
  /** host:port of the logical broker when going through a proxy (CONNECT.proxy_to_broker_url). */
  proxyToBroker?: string;
  auth?: AuthProvider;
  tlsOptions?: tls.ConnectionOptions;
  connectTimeoutMs?: number;
  operationTimeoutMs?: number;
  keepAliveIntervalMs?: number;
  logger?: Logger;
  instrumentation?: Instrumentation;
  /** Injected transport (tests): returns a socket-like duplex already connecting. */
  transport?: (address: BrokerAddress) => Duplex;
}

interface Pending {
  resolve(cmd: BaseCommand): void;
  reject(err: PulsarError): void;
  timer: NodeJS.Timeout | undefined;
  type: number;
}

let requestCounter = 0;
/** One client-wide counter (PROTOCOL.md §6.10); numbers stay exact far beyond any realistic count. */
function nextRequestId(): Long {
  return Long.fromNumber(++requestCounter, true);
}

let resourceCounter = 0;
/** Producer and consumer ids must be unique per connection; a process-wide counter is simplest. */
export function nextResourceId(): bigint {
  return BigInt(++resourceCounter);
}

/** Responses correlated by request_id, and the field holding it. */
const RESPONSE_TYPES = new Set<number>([
  CommandType.SUCCESS, CommandType.ERROR, CommandType.PRODUCER_SUCCESS, CommandType.LOOKUP_RESPONSE,
  CommandType.PARTITIONED_METADATA_RESPONSE, CommandType.GET_LAST_MESSAGE_ID_RESPONSE, CommandType.ACK_RESPONSE,
  CommandType.NEW_TXN_RESPONSE, CommandType.ADD_PARTITION_TO_TXN_RESPONSE, CommandType.ADD_SUBSCRIPTION_TO_TXN_RESPONSE,
  CommandType.END_TXN_RESPONSE, CommandType.TC_CLIENT_CONNECT_RESPONSE, CommandType.GET_TOPICS_OF_NAMESPACE_RESPONSE,
  CommandType.GET_SCHEMA_RESPONSE, CommandType.GET_OR_CREATE_SCHEMA_RESPONSE,
]);

export class Connection {
  readonly address: string;
  readonly options: ConnectionOptions;
  serverVersion = '';
  protocolVersion = 0;
  maxMessageSize = 5 * 1024 * 1024;

  #socket: Duplex;
  #parser = new FrameParser();
  #pending = new Map<number, Pending>();
  #producers = new Map<bigint, ProducerHandler>();
  #consumers = new Map<bigint, ConsumerHandler>();
  #closeListeners = new Set<(err: PulsarError) => void>();
  #closed: PulsarError | null = null;
  #keepAlive: NodeJS.Timeout | undefined;
  #receivedSinceTick = true;
  #pingOutstanding = false;
  #handshake: { resolve(): void; reject(err: PulsarError): void } | null = null;
  #log: Logger;

  private constructor(options: ConnectionOptions, socket: Duplex) {
    this.options = options;
    this.address = addressKey(options.physical);
    this.#socket = socket;
    this.#log = options.logger ?? silentLogger;
  }

  static async connect(options: ConnectionOptions): Promise<Connection> {
    const { physical } = options;
    const socket = options.transport
      ? options.transport(physical)
      : physical.tls
        ? tls.connect({ host: physical.host, port: physical.port, servername: net.isIP(physical.host) ? undefined : physical.host, ...options.tlsOptions })
        : net.connect({ host: physical.host, port: physical.port });
    if (socket instanceof net.Socket) socket.setNoDelay(true);
    const conn = new Connection(options, socket);
    await conn.#open();
    return conn;
  }

  get closed(): boolean {
    return this.#closed !== null;
  }

  #open(): Promise<void> {
    const timeoutMs = this.options.connectTimeoutMs ?? 10_000;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => this.#fail(new PulsarTimeoutError(`connecting to ${this.address} timed out after ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.#handshake = {
        resolve: () => { clearTimeout(timer); this.#handshake = null; resolve(); },
        reject: (err) => { clearTimeout(timer); this.#handshake = null; reject(err); },
      };
      const socket = this.#socket;
      socket.on('data', (chunk: Buffer) => this.#onData(chunk));
      socket.on('error', (err) => this.#fail(socketError(this.address, err)));
      socket.on('close', () => this.#fail(new PulsarConnectionError(`connection to ${this.address} closed`)));
      const ready = socket instanceof tls.TLSSocket ? 'secureConnect' : 'connect';
      const start = () => void this.#sendConnect().catch((err) => this.#fail(asConnectionError(err)));
      if (socket instanceof net.Socket && !socket.connecting && socket.readyState === 'open') start();
      else socket.once(ready, start);
    });
  }

  async #sendConnect(): Promise<void> {
    const auth = this.options.auth;
    const authData = auth ? await auth.authData() : undefined;
    this.#write(encodeSimpleFrame({
      type: CommandType.CONNECT,
      connect: {
        clientVersion: CLIENT_VERSION,
        protocolVersion: PROTOCOL_VERSION,
        ...(auth ? { authMethodName: auth.methodName, authData } : {}),
        ...(this.options.proxyToBroker ? { proxyToBrokerUrl: this.options.proxyToBroker } : {}),
        // Without supports_auth_refresh the broker closes the connection when a token expires
        // instead of challenging (PROTOCOL.md §2).
        featureFlags: { supportsAuthRefresh: true },
      },
    }));
  }

  #onData(chunk: Buffer): void {
    if (this.#closed) return;
    let frames: Frame[];
    try {
      frames = this.#parser.push(chunk);
    } catch (err) {
      // DESIGN.md: a malformed frame closes that connection with a clear error.
      this.#fail(asConnectionError(err));
      return;
    }
    this.#receivedSinceTick = true;
    for (const frame of frames) {
      try {
        this.#dispatch(frame);
      } catch (err) {
        this.#fail(err instanceof PulsarError ? err : new PulsarProtocolError('cannot handle frame', { cause: err }));
        return;
      }
      if (this.#closed) return;
    }
  }

  #dispatch(frame: Frame): void {
    const cmd = frame.command;
    switch (cmd.type) {
      case CommandType.CONNECTED: {
        const c = cmd.connected!;
        this.serverVersion = c.serverVersion;
        this.protocolVersion = c.protocolVersion ?? 0;
        if (has(c, 'maxMessageSize') && c.maxMessageSize! > 0) {
          this.maxMessageSize = c.maxMessageSize!;
          this.#parser.setMaxMessageSize(c.maxMessageSize!);
        }
        this.#startKeepAlive();
        this.options.instrumentation?.emit('connection.connect', () => ({
          address: this.address, serverVersion: this.serverVersion, protocolVersion: this.protocolVersion,
        }));
        this.#handshake?.resolve();
        return;
      }
      case CommandType.PING:
        this.#write(encodeSimpleFrame({ type: CommandType.PONG, pong: {} }));
        return;
      case CommandType.PONG:
        this.#pingOutstanding = false;
        return;
      case CommandType.AUTH_CHALLENGE:
        void this.#answerChallenge();
        return;
      case CommandType.SEND_RECEIPT:
        this.#producers.get(toBigInt(cmd.sendReceipt!.producerId))?.onSendReceipt(cmd.sendReceipt!);
        return;
      case CommandType.SEND_ERROR:
        this.#producers.get(toBigInt(cmd.sendError!.producerId))?.onSendError(cmd.sendError!);
        return;
      case CommandType.MESSAGE:
        this.#consumers.get(toBigInt(cmd.message!.consumerId))?.onMessage(cmd.message!, frame.payload);
        return;
      case CommandType.ACTIVE_CONSUMER_CHANGE:
        this.#consumers.get(toBigInt(cmd.activeConsumerChange!.consumerId))?.onActiveChange?.(cmd.activeConsumerChange!.isActive ?? false);
        return;
      case CommandType.REACHED_END_OF_TOPIC:
        this.#consumers.get(toBigInt(cmd.reachedEndOfTopic!.consumerId))?.onEndOfTopic?.();
        return;
      case CommandType.CLOSE_PRODUCER: {
        const c = cmd.closeProducer!;
        const id = toBigInt(c.producerId);
        const handler = this.#producers.get(id);
        this.#producers.delete(id);
        handler?.onBrokerClose(this.#assigned(c));
        return;
      }
      case CommandType.CLOSE_CONSUMER: {
        const c = cmd.closeConsumer!;
        const id = toBigInt(c.consumerId);
        const handler = this.#consumers.get(id);
        this.#consumers.delete(id);
        handler?.onBrokerClose(this.#assigned(c));
        return;
      }
      case CommandType.TOPIC_MIGRATED: {
        // PIP-188: treat like a broker close with a target URL (PROTOCOL.md §3.6).
        const c = cmd.topicMigrated!;
        const id = toBigInt(c.resourceId);
        const url = this.#assigned({ assignedBrokerServiceUrl: c.brokerServiceUrl, assignedBrokerServiceUrlTls: c.brokerServiceUrlTls });
        if (c.resourceType === 0) { const h = this.#producers.get(id); this.#producers.delete(id); h?.onBrokerClose(url); }
        else { const h = this.#consumers.get(id); this.#consumers.delete(id); h?.onBrokerClose(url); }
        return;
      }
      default:
        if (RESPONSE_TYPES.has(cmd.type)) {
          this.#onResponse(cmd);
          return;
        }
        this.#log.debug({ address: this.address, type: cmd.type }, 'ignoring unexpected command');
    }
  }

  #assigned(c: { assignedBrokerServiceUrl?: string; assignedBrokerServiceUrlTls?: string }): string | undefined {
    return (this.options.physical.tls ? c.assignedBrokerServiceUrlTls : c.assignedBrokerServiceUrl) || undefined;
  }

  #onResponse(cmd: BaseCommand): void {
    const body = cmd[COMMAND_FIELD[cmd.type]!] as { requestId?: Long | number; error?: number; message?: string; response?: number; errorCode?: number; errorMessage?: string };
    if (cmd.type === CommandType.ERROR && this.#handshake) {
      // Connect and auth failures carry request_id -1 (PROTOCOL.md §1.4).
      this.#fail(serverError(body.error, body.message));
      return;
    }
    if (body.requestId === undefined || body.requestId === null) return; // ACK_RESPONSE without a request id
    const id = Number(toBigInt(body.requestId));
    const pending = this.#pending.get(id);
    if (!pending) {
      this.#log.debug({ address: this.address, type: cmd.type, requestId: id }, 'response for unknown request');
      return;
    }
    if (cmd.type === CommandType.PRODUCER_SUCCESS && cmd.producerSuccess!.producerReady === false) {
      // WaitForExclusive: the producer is queued; the real answer comes later, so no timeout (§3.5).
      clearTimeout(pending.timer);
      pending.timer = undefined;
      return;
    }
    this.#pending.delete(id);
    clearTimeout(pending.timer);
    const failed =
      cmd.type === CommandType.ERROR ||
      (cmd.type === CommandType.LOOKUP_RESPONSE && body.response === 2) ||
      (cmd.type === CommandType.PARTITIONED_METADATA_RESPONSE && body.response === 1) ||
      (cmd.type !== CommandType.LOOKUP_RESPONSE && cmd.type !== CommandType.PARTITIONED_METADATA_RESPONSE && has(body, 'error'));
    if (failed) pending.reject(serverError(body.error, body.message));
    else if (has(body, 'errorCode')) pending.reject(serverError(body.errorCode, body.errorMessage)); // the schema responses' names
    else pending.resolve(cmd);
  }

  async #answerChallenge(): Promise<void> {
    const auth = this.options.auth;
    if (!auth) return;
    try {
      const authData = await auth.authData();
      this.#write(encodeSimpleFrame({
        type: CommandType.AUTH_RESPONSE,
        authResponse: {
          clientVersion: CLIENT_VERSION,
          protocolVersion: PROTOCOL_VERSION,
          // The broker requires both the method name and the data (PROTOCOL.md §3.3).
          response: { authMethodName: auth.methodName, authData },
        },
      }));
    } catch (err) {
      this.#fail(new PulsarError(ClientErrorCode.ConnectFailed, 'cannot refresh credentials', { cause: err, retriable: true }));
    }
  }

  #startKeepAlive(): void {
    const interval = this.options.keepAliveIntervalMs ?? 30_000;
    // Any frame counts as liveness; a PING unanswered for a whole interval with nothing else
    // received closes the connection (PROTOCOL.md §6.9).
    this.#keepAlive = setInterval(() => {
      if (this.#pingOutstanding && !this.#receivedSinceTick) {
        this.#fail(new PulsarTimeoutError(`no keep-alive answer from ${this.address} within ${interval} ms`));
        return;
      }
      this.#receivedSinceTick = false;
      this.#pingOutstanding = true;
      this.#write(encodeSimpleFrame({ type: CommandType.PING, ping: {} }));
    }, interval);
    this.#keepAlive.unref();
  }

  /**
   * Send a command that carries a request id and wait for its response. `field` names the
   * sub-command whose `requestId` is assigned here. Rejects with a PulsarServerError when the
   * response carries one.
   */
  request(cmd: BaseCommand, options: { timeoutMs?: number } = {}): Promise<BaseCommand> {
    if (this.#closed) return Promise.reject(this.#closed);
    const body = cmd[COMMAND_FIELD[cmd.type]!] as { requestId?: Long };
    const requestId = nextRequestId();
    body.requestId = requestId;
    const id = requestId.toNumber();
    const timeoutMs = options.timeoutMs ?? this.options.operationTimeoutMs ?? 30_000;
    return new Promise<BaseCommand>((resolve, reject) => {
      const pending: Pending = { resolve, reject, type: cmd.type, timer: undefined };
      if (timeoutMs > 0 && Number.isFinite(timeoutMs)) {
        pending.timer = setTimeout(() => {
          this.#pending.delete(id);
          reject(new PulsarTimeoutError(`request ${id} (command ${cmd.type}) to ${this.address} timed out after ${timeoutMs} ms`));
        }, timeoutMs);
      }
      this.#pending.set(id, pending);
      this.#write(encodeSimpleFrame(cmd));
    });
  }

  /** Fire-and-forget command (FLOW, ACK without receipt, REDELIVER...). */
  sendCommand(cmd: BaseCommand): void {
    this.#write(encodeSimpleFrame(cmd));
  }

  /** Write an already-encoded frame; returns false when the socket buffer is full. */
  write(frame: Buffer): boolean {
    return this.#write(frame);
  }

  #write(frame: Buffer): boolean {
    if (this.#closed) return false;
    return this.#socket.write(frame);
  }

  /** Resolves when the socket can take more bytes (producers wait here when write() said no). */
  drained(): Promise<void> {
    if (this.#closed || !(this.#socket as net.Socket).writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => { this.#socket.off('drain', done); this.#closeListeners.delete(done); resolve(); };
      this.#socket.once('drain', done);
      this.#closeListeners.add(done);
    });
  }

  registerProducer(id: bigint, handler: ProducerHandler): void { this.#producers.set(id, handler); }
  unregisterProducer(id: bigint): void { this.#producers.delete(id); }
  registerConsumer(id: bigint, handler: ConsumerHandler): void { this.#consumers.set(id, handler); }
  unregisterConsumer(id: bigint): void { this.#consumers.delete(id); }
  /** Still registered: neither CLOSE_PRODUCER/CLOSE_CONSUMER nor a closed connection removed it. */
  hasProducer(id: bigint, handler: ProducerHandler): boolean { return this.#producers.get(id) === handler; }
  hasConsumer(id: bigint, handler: ConsumerHandler): boolean { return this.#consumers.get(id) === handler; }

  onClose(listener: (err: PulsarError) => void): () => void {
    this.#closeListeners.add(listener);
    return () => this.#closeListeners.delete(listener);
  }

  /** Close the connection cleanly: pending requests fail with AlreadyClosed. */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#fail(new PulsarConnectionError(`connection to ${this.address} closed by the client`, { code: ClientErrorCode.AlreadyClosed }));
    return new Promise((resolve) => {
      if (this.#socket.destroyed) resolve();
      else this.#socket.once('close', () => resolve());
    });
  }

  #fail(err: PulsarError): void {
    if (this.#closed) return;
    this.#closed = err;
    clearInterval(this.#keepAlive);
    this.#log.debug({ address: this.address, code: err.code, err: err.message, cause: String((err.cause as Error)?.stack ?? err.cause ?? '') }, 'connection closed');
    this.options.instrumentation?.emit('connection.close', () => ({ address: this.address, reason: err.message }));
    this.#socket.end();
    this.#socket.destroy();
    this.#handshake?.reject(err);
    // Requests in flight fail retriably: the operation may be re-tried on a new connection.
    const pendingErr = err instanceof PulsarConnectionError ? err : new PulsarConnectionError(err.message, { cause: err });
    for (const p of this.#pending.values()) {
      clearTimeout(p.timer);
      p.reject(pendingErr);
    }
    this.#pending.clear();
    const producers = [...this.#producers.values()];
    const consumers = [...this.#consumers.values()];
    this.#producers.clear();
    this.#consumers.clear();
    for (const h of producers) h.onConnectionClosed(pendingErr);
    for (const h of consumers) h.onConnectionClosed(pendingErr);
    for (const l of this.#closeListeners) l(err);
    this.#closeListeners.clear();
  }
}

/** Why this connection failed: a PulsarError as it is, anything else (auth provider, parser) as a PulsarConnectionError. */
function asConnectionError(err: unknown): PulsarError {
  return err instanceof PulsarError ? err : new PulsarConnectionError(String((err as Error)?.message ?? err), { cause: err });
}

// Node's codes for a peer certificate that does not verify (OpenSSL's X509_V_ERR_* names, plus
// the host name check). They fail the same way on every retry, so they are not retriable.
const TLS_VERIFICATION_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'CERT_REVOKED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function socketError(address: string, err: Error & { code?: string }): PulsarConnectionError {
  const message = `socket error on ${address}: ${err.message}`;
  if (err.code !== undefined && TLS_VERIFICATION_CODES.has(err.code)) {
    return new PulsarConnectionError(message, { code: ClientErrorCode.TlsVerificationFailed, retriable: false, cause: err });
  }
  return new PulsarConnectionError(message, { cause: err });
}
