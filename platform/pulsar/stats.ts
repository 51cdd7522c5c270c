// Per producer and per consumer counters, read with producer.stats() / consumer.stats() as
// plain objects of numbers: the runtime feeds them to prom-client (a collect() callback that
// sets gauges and counters), and nothing here depends on it. Counting costs an addition per
// message or per frame; the histogram is one bucket search per receipt (a batch at a time).

/** Upper bounds (ms) of the send-latency buckets, Prometheus-style (`le`), +Inf implied. */
export const LATENCY_BUCKETS_MS = [0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000] as const;

export interface HistogramSnapshot {
  /** Cumulative counts per upper bound, as Prometheus exposes them; the last has `le: Infinity`. */
  buckets: { le: number; count: number }[];
  count: number;
  sum: number;
}

export class LatencyHistogram {
  #counts = new Float64Array(LATENCY_BUCKETS_MS.length + 1);
  #count = 0;
  #sum = 0;

  /** Record `times` observations of `ms` (a batch receipt is one latency for all its messages). */
  observe(ms: number, times = 1): void {
    let i = 0;
    while (i < LATENCY_BUCKETS_MS.length && ms > LATENCY_BUCKETS_MS[i]!) i++;
    this.#counts[i]! += times;
    this.#count += times;
    this.#sum += ms * times;
  }

  /** Add another histogram's observations to this one (partitions into their producer). */
  addTo(target: LatencyHistogram): void {
    for (let i = 0; i < this.#counts.length; i++) target.#counts[i]! += this.#counts[i]!;
    target.#count += this.#count;
    target.#sum += this.#sum;
  }

  snapshot(): HistogramSnapshot {
    let running = 0;
    const buckets = Array.from(this.#counts, (n, i) => {
      running += n;
      return { le: i < LATENCY_BUCKETS_MS.length ? LATENCY_BUCKETS_MS[i]! : Infinity, count: running };
    });
    return { buckets, count: this.#count, sum: this.#sum };
  }
}

export interface ProducerStats {
  /** Messages handed to the broker (written or queued for the connection). */
  messagesSent: number;
  /** Bytes of the SEND frames those messages went in (metadata and compression included). */
  bytesSent: number;
  /** Messages the broker acknowledged (SEND_RECEIPT). */
  messagesAcked: number;
  /** Messages whose send failed (timeout, broker error, producer closed). */
  sendErrors: number;
  /** Messages accepted by send() and not yet acknowledged or failed, open batches included. */
  pendingMessages: number;
  /** Payload bytes held against the client's memoryLimitBytes, open batches included. */
  pendingBytes: number;
  /** Times a SEND frame found the socket's buffer full and further writes waited for 'drain'. */
  drainWaits: number;
  /** From the SEND frame's creation to its receipt, per message. */
  sendLatencyMs: HistogramSnapshot;
}

export interface ConsumerStats {
  /** Messages received from the broker (queued for the application). */
  messagesReceived: number;
  /** Payload bytes of those messages. */
  bytesReceived: number;
  /** Messages acknowledged (individually, cumulatively or in a transaction: one per call's message). */
  acks: number;
  nacks: number;
  /** Received and waiting in the receive queue. */
  queuedMessages: number;
  /** Payload bytes of those; past `maxQueuedBytes` no flow permits are granted. */
  queuedBytes: number;
  /** Messages that arrived with a redelivery count above 0. */
  redeliveredMessages: number;
  /** Sent to the dead-letter topic. */
  deadLettered: number;
}

/** The mutable counters behind ProducerStats, one set per partition producer. */
export class ProducerCounters {
  messagesSent = 0;
  bytesSent = 0;
  messagesAcked = 0;
  sendErrors = 0;
  drainWaits = 0;
  readonly sendLatencyMs = new LatencyHistogram();
}

/** Sum partition producers' counters into one ProducerStats. */
export function sumProducerCounters(parts: readonly { counters: ProducerCounters; pendingMessages: number; pendingBytes: number }[]): ProducerStats {
  const latency = new LatencyHistogram();
  const out = { messagesSent: 0, bytesSent: 0, messagesAcked: 0, sendErrors: 0, pendingMessages: 0, pendingBytes: 0, drainWaits: 0 };
  for (const { counters: c, pendingMessages, pendingBytes } of parts) {
    out.messagesSent += c.messagesSent;
    out.bytesSent += c.bytesSent;
    out.messagesAcked += c.messagesAcked;
    out.sendErrors += c.sendErrors;
    out.pendingMessages += pendingMessages;
    out.pendingBytes += pendingBytes;
    out.drainWaits += c.drainWaits;
    c.sendLatencyMs.addTo(latency);
  }
  return { ...out, sendLatencyMs: latency.snapshot() };
}
