// Cluster failover service-URL provider: probes the primary (a TCP connect to its first host);
// when it has been down for `failoverDelayMs`, moves the client to the first reachable
// secondary, and back once the primary has been up for `switchBackDelayMs`. Moving means
// dropping every connection: producers and consumers re-look-up through the new URL and resend
// what is pending (DESIGN.md, Regions and failover).
import net from 'node:net';
import type { PulsarClient, ServiceUrlProvider } from './client.ts';
import { parseServiceUrl } from './network/index.ts';

export interface ClusterFailoverOptions {
  primary: string;
  secondaries: string[];
  probeIntervalMs?: number;
  probeTimeoutMs?: number;
  failoverDelayMs?: number;
  switchBackDelayMs?: number;
  /** Injected health probe (tests); default: TCP connect to the URL's first host. */
  probe?: (serviceUrl: string) => Promise<boolean>;
}

export function tcpProbe(timeoutMs: number): (serviceUrl: string) => Promise<boolean> {
  return (serviceUrl) => new Promise((resolve) => {
    const { host, port } = parseServiceUrl(serviceUrl)[0]!;
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => { socket.destroy(); resolve(ok); };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export class ClusterFailover implements ServiceUrlProvider {
  #options: Required<Omit<ClusterFailoverOptions, 'probe'>>;
  #probe: (url: string) => Promise<boolean>;
  #current: string;
  #downSince: number | null = null;
  #upSince: number | null = null;
  #timer: NodeJS.Timeout | undefined;
  #client: PulsarClient | undefined;
  #probing = false;

  constructor(options: ClusterFailoverOptions) {
    this.#options = {
      probeIntervalMs: 1_000, probeTimeoutMs: 1_000, failoverDelayMs: 5_000, switchBackDelayMs: 30_000, ...options,
    };
    this.#probe = options.probe ?? tcpProbe(this.#options.probeTimeoutMs);
    this.#current = options.primary;
  }

  getServiceUrl(): string {
    return this.#current;
  }

  attach(client: PulsarClient): void {
    this.#client = client;
    this.#timer = setInterval(() => void this.check(), this.#options.probeIntervalMs);
    this.#timer.unref();
  }

  /** One probe round; exported for tests that drive time themselves. */
  async check(now = Date.now()): Promise<void> {
    if (this.#probing) return;
    this.#probing = true;
    try {
      const { primary, secondaries, failoverDelayMs, switchBackDelayMs } = this.#options;
      const primaryUp = await this.#probe(primary);
      if (this.#current === primary) {
        this.#downSince = primaryUp ? null : (this.#downSince ?? now);
        if (this.#downSince !== null && now - this.#downSince >= failoverDelayMs) {
          for (const candidate of secondaries) {
            if (await this.#probe(candidate)) {
              await this.#switch(candidate);
              break;
            }
          }
        }
      } else {
        this.#upSince = primaryUp ? (this.#upSince ?? now) : null;
        if (this.#upSince !== null && now - this.#upSince >= switchBackDelayMs) await this.#switch(primary);
      }
    } finally {
      this.#probing = false;
    }
  }

  async #switch(to: string): Promise<void> {
    const from = this.#current;
    this.#current = to;
    this.#downSince = null;
    this.#upSince = null;
    this.#client?.instrumentation.emit('failover.switch', { from, to });
    await this.#client?.reconnectAll();
  }

  close(): void {
    clearInterval(this.#timer);
  }
}
