// The local stack's fixed shape: two regions on loopback, each a standalone Pulsar cluster and a
// Redis. Ports sit away from Pulsar's and Redis's defaults so a developer's own servers don't
// collide; LODESTAR_PORT_OFFSET moves all of them at once when something else holds them.
import path from 'node:path';

export interface RegionLayout {
  name: string;
  brokerPort: number;
  /** The broker's TLS port (pulsar+ssl://), certificate signed by the stack's own CA. */
  brokerTlsPort: number;
  webPort: number;
  redisPort: number;
  dir: string;
  dataDir: string;
  logDir: string;
  redisDir: string;
  confFile: string;
  pulsarPidFile: string;
  redisPidFile: string;
}

export interface StackLayout {
  stateDir: string;
  superuserRole: string;
  superuserTokenFile: string;
  tokenSecretKeyFile: string;
  /** The stack's CA (clients trust it for pulsar+ssl://) and the brokers' key and certificate. */
  tlsCaFile: string;
  tlsKeyFile: string;
  tlsCertFile: string;
  clientConfDir: string;
  stackFile: string;
  lockFile: string;
  regions: RegionLayout[];
}

const REGION_PORTS = [
  { name: 'east', brokerPort: 16650, brokerTlsPort: 16651, webPort: 18080, redisPort: 16379 },
  { name: 'west', brokerPort: 26650, brokerTlsPort: 26651, webPort: 28080, redisPort: 26379 },
] as const;

const SUPERUSER_ROLE = 'lodestar-admin';

export function stackLayout(stateDir: string, portOffset = 0): StackLayout {
  return {
    stateDir,
    superuserRole: SUPERUSER_ROLE,
    superuserTokenFile: path.join(stateDir, 'auth', 'superuser.token'),
    tokenSecretKeyFile: path.join(stateDir, 'auth', 'secret.key'),
    tlsCaFile: path.join(stateDir, 'tls', 'ca.crt'),
    tlsKeyFile: path.join(stateDir, 'tls', 'broker.key'),
    tlsCertFile: path.join(stateDir, 'tls', 'broker.crt'),
    clientConfDir: path.join(stateDir, 'client'),
    stackFile: path.join(stateDir, 'stack.json'),
    lockFile: path.join(stateDir, 'stack.lock'),
    regions: REGION_PORTS.map((ports) => {
      const dir = path.join(stateDir, 'regions', ports.name);
      return {
        name: ports.name,
        brokerPort: ports.brokerPort + portOffset,
        brokerTlsPort: ports.brokerTlsPort + portOffset,
        webPort: ports.webPort + portOffset,
        redisPort: ports.redisPort + portOffset,
        dir,
        dataDir: path.join(dir, 'data'),
        logDir: path.join(dir, 'logs'),
        redisDir: path.join(dir, 'redis'),
        confFile: path.join(dir, 'standalone.conf'),
        pulsarPidFile: path.join(dir, 'pulsar.pid'),
        redisPidFile: path.join(dir, 'redis.pid'),
      };
    }),
  };
}

export const brokerUrl = (r: RegionLayout): string => `pulsar://127.0.0.1:${r.brokerPort}`;
export const brokerTlsUrl = (r: RegionLayout): string => `pulsar+ssl://127.0.0.1:${r.brokerTlsPort}`;
export const webUrl = (r: RegionLayout): string => `http://127.0.0.1:${r.webPort}`;
export const redisUrl = (r: RegionLayout): string => `redis://127.0.0.1:${r.redisPort}`;
