// Every failure of an admin call surfaces as one PulsarAdminError with a stable `code`, so callers
// (the control plane's reconciler above all) branch on codes, never on HTTP numbers or messages.
//
// Facts from the broker (pulsar-broker .../web/RestException.java, PulsarWebResource.java, 4.0):
// - handler errors carry a JSON body `{"reason": "..."}` (ErrorData); an unexpected exception
//   becomes a 500 with a text/plain body holding "Message: ..." and a Java stack trace;
// - the broker answers 401 both for a missing or bad token (rejected by its authentication filter,
//   no JSON reason) and for an authenticated role that lacks rights on superuser-only, tenant- and
//   topic-level operations (JSON reason such as "This operation requires super-user access");
//   namespace-level denials are 403. We tell the two 401s apart by where they come from: only a
//   resource handler, which runs after authentication succeeded, writes a JSON reason;
// - 409 means "already exists" on creates, but also "Concurrent modification" when a metadata
//   write lost a compare-and-set race (BadVersionException): the latter is worth retrying.

export const PulsarAdminErrorCode = {
  BAD_REQUEST: 'BAD_REQUEST',
  /** No token, or a token the broker does not accept. */
  UNAUTHORIZED: 'UNAUTHORIZED',
  /** Authenticated, but the role may not do this (HTTP 403, or a 401 from a resource handler). */
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  /** 405: the broker refuses the operation outright (e.g. forced tenant deletion is disabled). */
  NOT_ALLOWED: 'NOT_ALLOWED',
  /** 409: the resource already exists, or is in a state that forbids the change (e.g. not empty). */
  CONFLICT: 'CONFLICT',
  /** 409 "Concurrent modification": a metadata compare-and-set lost a race; retry. */
  CONCURRENT_MODIFICATION: 'CONCURRENT_MODIFICATION',
  /** 412: invalid name, unknown cluster, backlog quota above retention, cannot shrink partitions... */
  PRECONDITION_FAILED: 'PRECONDITION_FAILED',
  RATE_LIMITED: 'RATE_LIMITED',
  /** Our per-request timeout fired, or the server answered 408/504. */
  TIMEOUT: 'TIMEOUT',
  /**
   * Connection refused or reset, 502/503, or a 500 "Not enough non-faulty bookies available": the
   * broker or its storage is down, starting or overloaded.
   */
  UNAVAILABLE: 'UNAVAILABLE',
  /**
   * 500 "Topic is already fenced" / "being closed or deleted": another close or delete of the
   * topic is still running on the broker (an earlier delete, replicators being torn down); retry.
   */
  FENCED: 'FENCED',
  /**
   * A delete was answered (404 included) but the resource is still there: the broker's forced
   * tenant delete answers 404 when one of the tenant's namespaces vanished under it (removed by an
   * earlier delete still running on the broker), and leaves the tenant in place. Retry.
   */
  NOT_GONE: 'NOT_GONE',
  /** 501: e.g. a permissions call while authorization is disabled on the broker. */
  NOT_IMPLEMENTED: 'NOT_IMPLEMENTED',
  SERVER_ERROR: 'SERVER_ERROR',
  /** The broker answered 2xx with a body we could not read. */
  INVALID_RESPONSE: 'INVALID_RESPONSE',
  /** The caller's AbortSignal fired. */
  ABORTED: 'ABORTED',
} as const;

export type PulsarAdminErrorCode = (typeof PulsarAdminErrorCode)[keyof typeof PulsarAdminErrorCode];

export interface PulsarAdminErrorOptions {
  code: PulsarAdminErrorCode;
  message: string;
  /** HTTP status, when the broker answered. */
  status?: number;
  /** Pulsar's own explanation: the `reason` of its JSON error body, or the first line of its text. */
  reason?: string;
  retriable?: boolean;
  method?: string;
  /** Request path without the host (never carries credentials). */
  path?: string;
  cause?: unknown;
}

const RETRIABLE_CODES: ReadonlySet<PulsarAdminErrorCode> = new Set([
  PulsarAdminErrorCode.CONCURRENT_MODIFICATION,
  PulsarAdminErrorCode.FENCED,
  PulsarAdminErrorCode.NOT_GONE,
  PulsarAdminErrorCode.RATE_LIMITED,
  PulsarAdminErrorCode.TIMEOUT,
  PulsarAdminErrorCode.UNAVAILABLE,
]);

export class PulsarAdminError extends Error {
  override readonly name = 'PulsarAdminError';
  readonly code: PulsarAdminErrorCode;
  readonly status: number | undefined;
  readonly reason: string | undefined;
  /** True when the same request may succeed if sent again later. */
  readonly retriable: boolean;
  readonly method: string | undefined;
  readonly path: string | undefined;

  constructor(options: PulsarAdminErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code;
    this.status = options.status;
    this.reason = options.reason;
    this.retriable = options.retriable ?? RETRIABLE_CODES.has(options.code);
    this.method = options.method;
    this.path = options.path;
  }
}

export function isPulsarAdminError(error: unknown, code?: PulsarAdminErrorCode): error is PulsarAdminError {
  return error instanceof PulsarAdminError && (code === undefined || error.code === code);
}

/**
 * The code for an HTTP error status. `fromHandler` says whether the body was Pulsar's JSON
 * ErrorData, i.e. a resource handler (past authentication) produced it; `reason` is its text.
 */
export function codeForStatus(status: number, reason: string | undefined, fromHandler: boolean): PulsarAdminErrorCode {
  switch (status) {
    case 400:
      return PulsarAdminErrorCode.BAD_REQUEST;
    case 401:
      return fromHandler ? PulsarAdminErrorCode.FORBIDDEN : PulsarAdminErrorCode.UNAUTHORIZED;
    case 403:
      return PulsarAdminErrorCode.FORBIDDEN;
    case 404:
      return PulsarAdminErrorCode.NOT_FOUND;
    case 405:
      return PulsarAdminErrorCode.NOT_ALLOWED;
    case 408:
    case 504:
      return PulsarAdminErrorCode.TIMEOUT;
    case 409:
      return reason !== undefined && /concurrent modification/i.test(reason)
        ? PulsarAdminErrorCode.CONCURRENT_MODIFICATION
        : PulsarAdminErrorCode.CONFLICT;
    case 412:
      return PulsarAdminErrorCode.PRECONDITION_FAILED;
    case 429:
      return PulsarAdminErrorCode.RATE_LIMITED;
    case 501:
      return PulsarAdminErrorCode.NOT_IMPLEMENTED;
    case 502:
    case 503:
      return PulsarAdminErrorCode.UNAVAILABLE;
    default:
      if (status >= 500 && reason !== undefined && /already fenced|being closed or deleted/i.test(reason)) return PulsarAdminErrorCode.FENCED;
      // BookKeeper has no writable bookie (the broker's storage is down or still registering,
      // e.g. seconds after a restart): the region is unavailable for now, not broken.
      if (status >= 500 && reason !== undefined && /not enough (non-faulty )?bookies/i.test(reason)) return PulsarAdminErrorCode.UNAVAILABLE;
      return status >= 500 ? PulsarAdminErrorCode.SERVER_ERROR : PulsarAdminErrorCode.BAD_REQUEST;
  }
}
