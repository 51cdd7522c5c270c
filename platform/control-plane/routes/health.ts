// Liveness and readiness, untagged and unauthenticated (for load balancers and orchestrators).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ControlPlaneError, ErrorCode } from '../errors.ts';
import type { ZodTypeProvider } from '../plugins/zod.ts';

export default async function healthRoutes(root: FastifyInstance, { isReady, backing }: { isReady: () => boolean; backing: string }): Promise<void> {
  const app = root.withTypeProvider<ZodTypeProvider>();
  app.get('/health', { schema: { summary: 'The process is up', response: { 200: z.strictObject({ status: z.literal('ok') }) } } }, async () => ({ status: 'ok' as const }));
  app.get('/ready', {
    schema: { summary: 'State is loaded and the app is not closing', response: { 200: z.strictObject({ status: z.literal('ready'), store: z.string() }) } },
  }, async () => {
    if (!isReady()) throw new ControlPlaneError(ErrorCode.NOT_READY);
    return { status: 'ready' as const, store: backing };
  });
}
