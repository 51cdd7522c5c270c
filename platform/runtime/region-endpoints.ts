// Broker, Redis and token of the worker's region: from its configuration, else from the local
// stack file (stack.json, written by `npm run stack -- up`). The region registry is moving to
// platform/regions; this reader goes there once it lands (runtime may not import infra).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { WorkerConfig } from './config.ts';
import { RuntimeError, RuntimeErrorCode } from './errors.ts';

const StackFile = z.object({
  superuserTokenFile: z.string(),
  regions: z.array(z.object({ name: z.string(), brokerUrl: z.string(), redisUrl: z.string() })),
});

export interface RegionEndpoints { brokerUrl: string; redisUrl: string; token: string }

export function regionEndpoints(config: WorkerConfig): RegionEndpoints {
  let stack: z.infer<typeof StackFile> | undefined;
  const fromStack = (): z.infer<typeof StackFile> => {
    const file = path.join(config.stateDir, 'stack.json');
    try {
      stack ??= StackFile.parse(JSON.parse(readFileSync(file, 'utf8')));
    } catch (err) {
      throw new RuntimeError(RuntimeErrorCode.InvalidConfig, `no broker/Redis/token configured and no readable stack file at ${file}`, { cause: err });
    }
    return stack;
  };
  const region = (): { brokerUrl: string; redisUrl: string } => {
    const found = fromStack().regions.find((r) => r.name === config.region);
    if (!found) throw new RuntimeError(RuntimeErrorCode.InvalidConfig, `region ${config.region} is not in the stack file`);
    return found;
  };
  const tokenFile = config.tokenFile ?? fromStack().superuserTokenFile;
  return {
    brokerUrl: config.brokerUrl ?? region().brokerUrl,
    redisUrl: config.redisUrl ?? region().redisUrl,
    token: readFileSync(tokenFile, 'utf8').trim(),
  };
}
