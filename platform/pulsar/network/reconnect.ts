// The reconnect loop producers and consumers share: wait a backoff step, re-attach, and stop on
// success, on a non-retriable error (handed to `fail`), when the owner leaves the connecting
// state, or when the client closes. Each owner keeps its own "already reconnecting" guard.
// Only used after a first successful attach, where "busy" is transient (see BUSY_AFTER_ATTACH).
import type { PulsarError } from '../errors.ts';
import type { Instrumentation, Logger } from '../instrumentation.ts';
import { sleep, type Backoff } from './backoff.ts';

export interface ReconnectOptions {
  kind: 'producer' | 'consumer';
  topic: string;
  backoff: Backoff;
  context: { logger: Logger; instrumentation: Instrumentation; closing: AbortSignal };
  /** False once the owner is no longer waiting for a connection (closed, failed, reconnected). */
  stillConnecting(): boolean;
  attach(): Promise<void>;
  /** Turns whatever attach threw into a typed error; its `retriable` decides whether to go on. */
  toError(err: unknown): PulsarError;
  fail(error: PulsarError): void;
}

/**
 * After a first successful attach, ConsumerBusy/ProducerBusy mean the broker still holds our
 * previous incarnation (a close not yet processed, a failover subscription moving to another
 * consumer and back): Java keeps retrying then instead of failing the handle, and so do we.
 */
const BUSY_AFTER_ATTACH = new Set<string>(['ConsumerBusy', 'ProducerBusy']);

export async function reconnectWithBackoff(options: ReconnectOptions): Promise<void> {
  const { context, backoff } = options;
  while (options.stillConnecting() && !context.closing.aborted) {
    const delay = backoff.next();
    context.instrumentation.emit('connection.reconnect', () => ({ kind: options.kind, topic: options.topic, attempt: backoff.attempts, delayMs: delay }));
    await sleep(delay, context.closing);
    if (!options.stillConnecting()) return;
    try {
      await options.attach();
      return;
    } catch (err) {
      const e = options.toError(err);
      context.logger.warn({ topic: options.topic, code: e.code, err: e.message }, `${options.kind} reconnect failed`);
      if (!e.retriable && !BUSY_AFTER_ATTACH.has(e.code)) {
        options.fail(e);
        return;
      }
    }
  }
}

export interface RetryOptions<T> {
  /** Whose create is retried (its metadata lookup or attach), for logs and events. */
  kind: 'producer' | 'consumer';
  topic: string;
  backoff: Backoff;
  context: { logger: Logger; instrumentation: Instrumentation; closing: AbortSignal; operationTimeoutMs: number };
  operation(): Promise<T>;
  toError(err: unknown): PulsarError;
}

/**
 * The steps of creating a producer or consumer (partition metadata, then each partition's
 * attach), retried on retriable errors until the operation timeout, as the Java client does for
 * create: a broker that just restarted answers PersistenceError ("Not enough non-faulty
 * bookies") or ServiceNotReady for a few seconds, and a caller should not see that.
 * Non-retriable errors (authorization, topic not found, ...) and the last error at the deadline
 * go to the caller.
 */
export async function retryUntilOperationTimeout<T>(options: RetryOptions<T>): Promise<T> {
  const { context, backoff } = options;
  const deadline = Date.now() + context.operationTimeoutMs;
  for (;;) {
    try {
      return await options.operation();
    } catch (err) {
      const e = options.toError(err);
      const delay = backoff.next();
      if (!e.retriable || context.closing.aborted || Date.now() + delay >= deadline) throw e;
      context.logger.warn({ topic: options.topic, code: e.code, err: e.message }, `${options.kind} create failed, retrying in ${delay} ms`);
      context.instrumentation.emit('connection.reconnect', () => ({ kind: options.kind, topic: options.topic, attempt: backoff.attempts, delayMs: delay }));
      await sleep(delay, context.closing);
    }
  }
}
