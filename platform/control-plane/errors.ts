// The one table of error codes the control plane answers with, and the one error class that
// carries them. Every response body for a failure is `{ error: { code, message, details? } }`;
// clients branch on `code` (stable), never on `message` (for humans) or the HTTP status alone.

export const ErrorCode = {
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  BAD_REQUEST: 'BAD_REQUEST',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  METHOD_NOT_ALLOWED: 'METHOD_NOT_ALLOWED',
  ALREADY_EXISTS: 'ALREADY_EXISTS',
  VERSION_CONFLICT: 'VERSION_CONFLICT',
  HAS_DEPENDENTS: 'HAS_DEPENDENTS',
  QUOTA_EXCEEDED: 'QUOTA_EXCEEDED',
  PRECONDITION_REQUIRED: 'PRECONDITION_REQUIRED',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  INVALID_BUNDLE: 'INVALID_BUNDLE',
  NOT_READY: 'NOT_READY',
  INTERNAL: 'INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** HTTP status and the message shown when the code is raised without one of its own. */
export const ERROR_TABLE: Readonly<Record<ErrorCode, { status: number; message: string }>> = {
  VALIDATION_FAILED: { status: 400, message: 'the request does not match its schema' },
  BAD_REQUEST: { status: 400, message: 'bad request' },
  UNAUTHENTICATED: { status: 401, message: 'a valid bearer token is required' },
  FORBIDDEN: { status: 403, message: 'your role may not do this' },
  NOT_FOUND: { status: 404, message: 'not found' },
  METHOD_NOT_ALLOWED: { status: 405, message: 'method not allowed' },
  ALREADY_EXISTS: { status: 409, message: 'the resource already exists' },
  VERSION_CONFLICT: { status: 409, message: 'the resource changed since the version you sent' },
  HAS_DEPENDENTS: { status: 409, message: 'the resource still has dependents' },
  QUOTA_EXCEEDED: { status: 422, message: 'the request exceeds a quota' },
  PRECONDITION_REQUIRED: { status: 428, message: 'send the expected version in If-Match' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'the request body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'send application/json' },
  INVALID_BUNDLE: { status: 422, message: 'the function bundle is invalid' },
  NOT_READY: { status: 503, message: 'the control plane is not ready' },
  // Never carries detail: whatever went wrong inside stays in the log.
  INTERNAL: { status: 500, message: 'internal error' },
};

export interface ErrorDetail {
  /** Dotted location of the offending value, e.g. `body.inputs.0.partitions`. */
  path: string;
  message: string;
}

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: ErrorDetail[] };
}

export class ControlPlaneError extends Error {
  override readonly name = 'ControlPlaneError';
  readonly code: ErrorCode;
  readonly statusCode: number;
  readonly details: ErrorDetail[] | undefined;

  constructor(code: ErrorCode, message?: string, options: { details?: ErrorDetail[]; cause?: unknown } = {}) {
    super(message ?? ERROR_TABLE[code].message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.statusCode = ERROR_TABLE[code].status;
    this.details = options.details;
  }

  toBody(): ErrorBody {
    const body: ErrorBody = { error: { code: this.code, message: this.message } };
    if (this.details && this.details.length > 0) body.error.details = this.details;
    return body;
  }
}

export const notFound = (what: string): ControlPlaneError => new ControlPlaneError(ErrorCode.NOT_FOUND, `${what} not found`);
