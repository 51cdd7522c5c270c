// How many partitions a topic has, asked when a producer or consumer is created, with the same
// retries as the create itself: right after a broker restart the metadata request can fail
// retriably too (ServiceNotReady, connection refused), and Java retries it until the operation
// timeout.
import type { ClientContext } from './context.ts';
import { asPulsarError, ClientErrorCode } from './errors.ts';
import { Backoff, retryUntilOperationTimeout } from './network/index.ts';

/** Number of partitions of `topic` (0: not partitioned). */
export function partitionCount(ctx: ClientContext, topic: string, kind: 'producer' | 'consumer'): Promise<number> {
  return retryUntilOperationTimeout({
    kind,
    topic,
    backoff: new Backoff(ctx.backoff),
    context: ctx,
    operation: () => ctx.lookup.partitions(topic),
    toError: (err) => asPulsarError(err, ClientErrorCode.LookupFailed, { retriable: true }),
  });
}
