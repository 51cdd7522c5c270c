#!/usr/bin/env node
// `lodestar` as an npm bin: registers tsx (so the TypeScript sources run as they are), then runs
// the CLI. Resolved relative to this file, so it works from any working directory.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./lodestar.ts');
process.exit(await main(process.argv.slice(2)));
