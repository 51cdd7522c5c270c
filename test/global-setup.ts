// Integration and fault tests run against the real local stack. This brings it up (reusing
// whatever already runs) and, at the end, stops only what it started itself, so a developer's
// running stack survives `npm test`. External mode (LODESTAR_REGIONS) starts nothing.
import { down, up } from '../infra/stack/stack.ts';
import { isExternalMode } from '../platform/regions/index.ts';

let started: string[] = [];

export async function setup(): Promise<void> {
  if (isExternalMode()) return;
  const result = await up({ log: (line) => console.log(`[stack] ${line}`) });
  started = result.started;
}

export async function teardown(): Promise<void> {
  if (started.length === 0 || process.env.LODESTAR_KEEP_STACK === '1') return;
  await down({ only: started, log: (line) => console.log(`[stack] ${line}`) });
}
