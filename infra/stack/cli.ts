// `npm run stack -- up|down|status|logs [region] [--fresh] [--json]`
import { existsSync, readFileSync } from 'node:fs';
import { diskSpace, diskWarning } from './disk.ts';
import { down, logFiles, status, up } from './stack.ts';
import { isExternalMode, loadStackInfo } from '../../platform/regions/index.ts';

const USAGE = `usage: npm run stack -- <command> [region...] [options]
  up [region...] [--fresh]   start (or reuse) the regions, wait until healthy, configure geo-replication
  down [region...]           stop the regions' Pulsar and Redis (data is kept)
  status [--json]            per region: URLs, healthy, pids
  logs [region] [--lines N]  the last lines of each log, with its path`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const flags = new Set(rest.filter((a) => a.startsWith('--')));
  const linesIndex = rest.indexOf('--lines');
  const lines = linesIndex >= 0 ? Number(rest[linesIndex + 1]) : 60;
  const regions = rest.filter((a, i) => !a.startsWith('--') && rest[i - 1] !== '--lines');

  if (isExternalMode() && command !== 'status') {
    console.error('external mode (LODESTAR_REGIONS is set): Lodestar starts and stops nothing; `status` shows the configured regions.');
    return 2;
  }
  switch (command) {
    case 'up': {
      const { info } = await up({ fresh: flags.has('--fresh'), regions });
      for (const r of info.regions) console.log(`${r.name}: ${r.healthy ? 'healthy' : 'UNHEALTHY'}  broker ${r.brokerUrl}  web ${r.webUrl}  redis ${r.redisUrl}`);
      console.log(`superuser token: ${info.superuserTokenFile}`);
      return 0;
    }
    case 'down':
      await down({ regions });
      return 0;
    case 'status': {
      const info = isExternalMode() ? loadStackInfo() : await status();
      if (flags.has('--json')) {
        console.log(JSON.stringify(info.regions, null, 2));
      } else {
        for (const r of info.regions) {
          const pids = Object.entries(r.pids).map(([k, v]) => `${k}=${v}`).join(' ') || 'not running';
          console.log(`${r.name.padEnd(6)} ${r.healthy ? 'healthy  ' : 'UNHEALTHY'} broker ${r.brokerUrl}  web ${r.webUrl}  redis ${r.redisUrl}  (${pids})`);
        }
      }
      if (info.mode === 'local' && existsSync(info.stateDir)) {
        const lowDisk = diskWarning(diskSpace(info.stateDir));
        if (lowDisk) console.error(`warning: ${lowDisk}`);
      }
      return info.regions.every((r) => r.healthy) ? 0 : 1;
    }
    case 'logs':
      for (const file of logFiles(regions[0])) {
        console.log(`==> ${file} <==`);
        console.log(existsSync(file) ? readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n') : '(not written yet)');
      }
      return 0;
    default:
      console.error(USAGE);
      return command === undefined || command === 'help' || command === '--help' ? 0 : 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`stack: ${error.message}`);
    process.exit(1);
  },
);
