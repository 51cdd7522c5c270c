// lodestar: the command line for tenant specs.
//   lodestar apply <tenant-dir> [--dry-run] [--url URL] [--token-file FILE]
// URL: --url, else LODESTAR_API_URL, else http://127.0.0.1:8480. Token: --token-file, else
// LODESTAR_TOKEN, else the local stack's platform-admin (superuser) token.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadStackInfo, readSuperuserToken } from '../../regions/index.ts';
import { applyTenantDir } from './apply.ts';
import { loadTenantDir, SpecError } from './tenant-dir.ts';

const USAGE = 'usage: lodestar apply <tenant-dir> [--dry-run] [--url URL] [--token-file FILE]';

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { 'dry-run': { type: 'boolean' }, url: { type: 'string' }, 'token-file': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  const [command, dir] = positionals;
  if (values.help || command !== 'apply' || !dir) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  let spec;
  try {
    spec = await loadTenantDir(dir);
  } catch (error) {
    if (!(error instanceof SpecError)) throw error;
    console.error(`${dir} is not a valid tenant spec:\n${error.problems.map((p) => `  ${p}`).join('\n')}`);
    return 1;
  }
  const token = values['token-file'] ? readFileSync(values['token-file'], 'utf8').trim() : env.LODESTAR_TOKEN ?? readSuperuserToken(loadStackInfo(env));
  const url = values.url ?? env.LODESTAR_API_URL ?? 'http://127.0.0.1:8480';
  await applyTenantDir(spec, { url, token, dryRun: values['dry-run'] === true, log: (line) => console.log(line) });
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).then((code) => process.exit(code), (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
