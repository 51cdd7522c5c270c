// One base error for the package (STYLE.md): every failure a caller sees is a PulsarError with a
// stable `code`, a `retriable` verdict read by the reconnect logic, and the original `cause`.
// Server errors (the ServerError enum of the protocol, PROTOCOL.md §3.2) map through SERVER_ERRORS.

/** Server error codes by wire value, with whether retrying the same request can succeed. */
export const SERVER_ERRORS = [
  { value: 0, code: 'UnknownError', retriable: true },
  { value: 1, code: 'MetadataError', retriable: true },
  { value: 2, code: 'PersistenceError', retriable: true },
  { value: 3, code: 'AuthenticationError', retriable: false },
  { value: 4, code: 'AuthorizationError', retriable: false },
  { value: 5, code: 'ConsumerBusy', retriable: false },
  { value: 6, code: 'ServiceNotReady', retriable: true },
  { value: 7, code: 'ProducerBlockedQuotaExceededError', retriable: false },
  { value: 8, code: 'ProducerBlockedQuotaExceededException', retriable: false },
  { value: 9, code: 'ChecksumError', retriable: false },
  { value: 10, code: 'UnsupportedVersionError', retriable: false },
  { value: 11, code: 'TopicNotFound', retriable: false },
  { value: 12, code: 'SubscriptionNotFound', retriable: false },
  { value: 13, code: 'ConsumerNotFound', retriable: true },
  { value: 14, code: 'TooManyRequests', retriable: true },
  { value: 15, code: 'TopicTerminatedError', retriable: false },
  { value: 16, code: 'ProducerBusy', retriable: false },
  { value: 17, code: 'InvalidTopicName', retriable: false },
  { value: 18, code: 'IncompatibleSchema', retriable: false },
  { value: 19, code: 'ConsumerAssignError', retriable: false },
  // The TC may be loading or have moved: reconnect the handler and retry (PROTOCOL.md §5.5).
  { value: 20, code: 'TransactionCoordinatorNotFound', retriable: true },
  { value: 21, code: 'InvalidTxnStatus', retriable: false },
  { value: 22, code: 'NotAllowedError', retriable: false },
  { value: 23, code: 'TransactionConflict', retriable: false },
  { value: 24, code: 'TransactionNotFound', retriable: false },
  { value: 25, code: 'ProducerFenced', retriable: false },
] as const;

export type ServerErrorCode = (typeof SERVER_ERRORS)[number]['code'];

/** Failures that originate in this client rather than in a broker reply. */
export const ClientErrorCode = {
  Protocol: 'ProtocolError',
  FrameTooLarge: 'FrameTooLarge',
  Timeout: 'Timeout',
  ConnectionClosed: 'ConnectionClosed',
  ConnectFailed: 'ConnectFailed',
  /** The broker's TLS certificate did not verify: retrying cannot help until configuration changes. */
  TlsVerificationFailed: 'TlsVerificationFailed',
  AlreadyClosed: 'AlreadyClosed',
  ChecksumMismatch: 'ChecksumMismatch',
  Decompression: 'DecompressionError',
  BatchDecode: 'BatchDeserializeError',
  ProducerQueueFull: 'ProducerQueueFull',
  /** The client's memoryLimitBytes is taken by messages not yet acknowledged. */
  MemoryBufferIsFull: 'MemoryBufferIsFull',
  MessageTooBig: 'MessageTooBig',
  /** A chunk set that cannot make a message: missing or out-of-order chunks, wrong sizes, over the limits, expired. */
  ChunkedMessageInvalid: 'ChunkedMessageInvalid',
  /** An encrypted message: end-to-end encryption is not implemented, so it is never handed over as plaintext. */
  DecryptionNotSupported: 'DecryptionNotSupported',
  InvalidConfiguration: 'InvalidConfiguration',
  InvalidTopicName: 'InvalidTopicName',
  TooManyRedirects: 'TooManyLookupRedirects',
  LookupFailed: 'LookupFailed',
  TransactionsDisabled: 'TransactionsDisabled',
  TransactionState: 'TransactionState',
  TransactionOutcomeUnknown: 'TransactionOutcomeUnknown',
  /** A transactional ack was sent but its reply was lost: the transaction must be aborted. */
  AckOutcomeUnknown: 'AckOutcomeUnknown',
  /** Cumulative ack on a Shared or Key_Shared subscription, which the broker would silently ignore. */
  CumulativeAckNotAllowed: 'CumulativeAckNotAllowed',
  ProducerFailed: 'ProducerFailed',
} as const;
export type ClientErrorCode = (typeof ClientErrorCode)[keyof typeof ClientErrorCode];

export type PulsarErrorCode = ServerErrorCode | ClientErrorCode;

export interface PulsarErrorOptions {
  retriable?: boolean;
  cause?: unknown;
}

export class PulsarError extends Error {
  readonly code: PulsarErrorCode;
  readonly retriable: boolean;
  override readonly cause: unknown;

  constructor(code: PulsarErrorCode, message: string, options: PulsarErrorOptions = {}) {
    super(message);
    this.name = 'PulsarError';
    this.code = code;
    this.retriable = options.retriable ?? false;
    this.cause = options.cause;
  }
}

/** A reply from the broker that carried a ServerError. */
export class PulsarServerError extends PulsarError {
  readonly serverError: number;
  constructor(serverError: number, message: string, options: PulsarErrorOptions = {}) {
    const known = SERVER_ERRORS[serverError];
    super(known?.code ?? 'UnknownError', message, { retriable: known?.retriable ?? true, ...options });
    this.name = 'PulsarServerError';
    this.serverError = serverError;
  }
}

/** Bytes from the network that break the protocol: the connection that carried them is closed. */
export class PulsarProtocolError extends PulsarError {
  constructor(message: string, options: PulsarErrorOptions & { code?: PulsarErrorCode } = {}) {
    super(options.code ?? ClientErrorCode.Protocol, message, { retriable: true, ...options });
    this.name = 'PulsarProtocolError';
  }
}

export class PulsarTimeoutError extends PulsarError {
  constructor(message: string, options: PulsarErrorOptions = {}) {
    super(ClientErrorCode.Timeout, message, { retriable: true, ...options });
    this.name = 'PulsarTimeoutError';
  }
}

export class PulsarConnectionError extends PulsarError {
  constructor(message: string, options: PulsarErrorOptions & { code?: PulsarErrorCode } = {}) {
    super(options.code ?? ClientErrorCode.ConnectionClosed, message, { retriable: true, ...options });
    this.name = 'PulsarConnectionError';
  }
}

/**
 * `err` when it is already a PulsarError; anything else (a bug, a socket error) wrapped with the
 * code the caller's context gives it, its message kept and the original as `cause`.
 */
export function asPulsarError(err: unknown, code: PulsarErrorCode, options: { retriable?: boolean } = {}): PulsarError {
  if (err instanceof PulsarError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new PulsarError(code, message, { cause: err, retriable: options.retriable ?? false });
}

export function serverError(value: number | null | undefined, message: string | null | undefined): PulsarServerError {
  const v = value ?? 0;
  return new PulsarServerError(v, message || (SERVER_ERRORS[v]?.code ?? `server error ${v}`));
}

export function isRetriable(err: unknown): boolean {
  return err instanceof PulsarError ? err.retriable : false;
}
