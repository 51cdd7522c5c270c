// A minimal logger interface (pino-compatible: object first, then message) and namespaced
// instrumentation events in the manner of kafkajs: emitting costs one map lookup when nobody
// listens, and payload objects are built only behind `instrumentation.enabled(name)`.

export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

const noop = (): void => {};
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };

/** Event names and their payloads. Ids are bigint-free strings so listeners can log them as is. */
export interface InstrumentationEvents {
  'connection.connect': { address: string; serverVersion: string; protocolVersion: number };
  'connection.close': { address: string; reason?: string };
  'connection.reconnect': { kind: 'producer' | 'consumer' | 'transaction-coordinator'; topic: string; attempt: number; delayMs: number };
  'producer.send': { topic: string; messages: number; bytes: number };
  'producer.receipt': { topic: string; messages: number; latencyMs: number };
  'consumer.receive': { topic: string; subscription: string; messages: number };
  'consumer.ack': { topic: string; subscription: string; messages: number };
  'transaction.begin': { txnId: string };
  'transaction.end': { txnId: string; action: 'commit' | 'abort'; outcome: 'ok' | 'error' | 'unknown' };
  'failover.switch': { from: string; to: string };
}
export type InstrumentationEvent = keyof InstrumentationEvents;
type Listener<E extends InstrumentationEvent> = (payload: InstrumentationEvents[E]) => void;

export class Instrumentation {
  #listeners = new Map<string, Set<(payload: never) => void>>();

  on<E extends InstrumentationEvent>(event: E, listener: Listener<E>): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(listener as (payload: never) => void);
    return () => set.delete(listener as (payload: never) => void);
  }

  enabled(event: InstrumentationEvent): boolean {
    return (this.#listeners.get(event)?.size ?? 0) > 0;
  }

  emit<E extends InstrumentationEvent>(event: E, payload: InstrumentationEvents[E] | (() => InstrumentationEvents[E])): void {
    const set = this.#listeners.get(event);
    if (!set || set.size === 0) return;
    const value = typeof payload === 'function' ? (payload as () => InstrumentationEvents[E])() : payload;
    for (const listener of set) {
      try {
        (listener as Listener<E>)(value);
      } catch {
        // A listener's bug must not break the client.
      }
    }
  }
}
