// Service URLs: `pulsar://host:port[,host:port...]` or `pulsar+ssl://...` (default ports 6650/6651).
import { ClientErrorCode, PulsarError } from '../errors.ts';

export interface BrokerAddress {
  host: string;
  port: number;
  tls: boolean;
}

export function parseServiceUrl(url: string): BrokerAddress[] {
  const m = /^(pulsar|pulsar\+ssl):\/\/([^/]+)\/?$/.exec(url.trim());
  if (!m) throw new PulsarError(ClientErrorCode.InvalidConfiguration, `invalid service URL "${url}"`);
  const tls = m[1] === 'pulsar+ssl';
  return m[2]!.split(',').map((hostPort) => {
    const at = hostPort.lastIndexOf(':');
    const host = at > 0 ? hostPort.slice(0, at).replace(/^\[|\]$/g, '') : hostPort;
    const port = at > 0 ? Number(hostPort.slice(at + 1)) : tls ? 6651 : 6650;
    if (!host || !Number.isInteger(port) || port <= 0 || port > 65535) {
      throw new PulsarError(ClientErrorCode.InvalidConfiguration, `invalid host in service URL "${url}"`);
    }
    return { host, port, tls };
  });
}

export function addressKey(a: BrokerAddress): string {
  return `${a.tls ? 'pulsar+ssl' : 'pulsar'}://${a.host}:${a.port}`;
}
