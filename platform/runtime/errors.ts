// The runtime's one error base (STYLE.md): a stable code, whether retrying can help, the cause.
export const RuntimeErrorCode = {
  InvalidConfig: 'InvalidConfig',
  InvalidPipeline: 'InvalidPipeline',
  RestoreFailed: 'RestoreFailed',
  BatchAborted: 'BatchAborted',
  NotActive: 'NotActive',
  Stopping: 'Stopping',
} as const;
export type RuntimeErrorCode = (typeof RuntimeErrorCode)[keyof typeof RuntimeErrorCode];

export class RuntimeError extends Error {
  readonly code: RuntimeErrorCode;
  readonly retriable: boolean;

  constructor(code: RuntimeErrorCode, message: string, options: { retriable?: boolean; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'RuntimeError';
    this.code = code;
    this.retriable = options.retriable ?? false;
  }
}
