// The one error base of the sdk. Authors meet it when a definition is malformed (at load) or when
// their function breaks a rule of the context (state that is not JSON, an async process); the
// executor turns the latter into a rejected event whose message is this error's.

export const SdkErrorCode = {
  /** defineFunction or the executor was given something that is not a usable definition. */
  INVALID_DEFINITION: 'INVALID_DEFINITION',
  /** A value for state, an output, a decision or an audit record is not plain JSON. */
  NOT_JSON: 'NOT_JSON',
  /** A state rule was broken: null set on a value state, a non-finite counter step. */
  INVALID_STATE: 'INVALID_STATE',
  /** The snapshot the runtime loaded does not have the shape of its state kind. */
  CORRUPT_STATE: 'CORRUPT_STATE',
  /** The pipeline's config does not pass the function's config schema. */
  INVALID_CONFIG: 'INVALID_CONFIG',
  /** process() returned a promise: functions are synchronous and pure. */
  ASYNC_PROCESS: 'ASYNC_PROCESS',
  /** The context was used after its event finished (e.g. kept in a closure). */
  CONTEXT_CLOSED: 'CONTEXT_CLOSED',
  /** An output name that the definition's `outputs` list does not declare. */
  UNKNOWN_OUTPUT: 'UNKNOWN_OUTPUT',
  /** The executor was called out of order (process before prepare). */
  PROTOCOL: 'PROTOCOL',
} as const;
export type SdkErrorCode = (typeof SdkErrorCode)[keyof typeof SdkErrorCode];

export class SdkError extends Error {
  override readonly name = 'SdkError';
  readonly code: SdkErrorCode;
  /** Nothing the sdk reports gets better by trying the same input again. */
  readonly retriable = false;

  constructor(code: SdkErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export function isSdkError(error: unknown, code?: SdkErrorCode): error is SdkError {
  return error instanceof SdkError && (code === undefined || error.code === code);
}
