// How many partitions a topic has, and which topics a namespace holds, asked when a producer or
// consumer is created, with the same retries as the create itself: right after a broker restart
// the metadata request can fail retriably too (ServiceNotReady, connection refused), and Java
// retries it until the operation timeout.
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

/** Topic names of `namespace` (partitions one by one) in `mode`, see LookupService.topicsOfNamespace. */
export function namespaceTopics(ctx: ClientContext, namespace: string, mode: number): Promise<string[]> {
  return retryUntilOperationTimeout({
    kind: 'consumer',
    topic: namespace,
    backoff: new Backoff(ctx.backoff),
    context: ctx,
    operation: () => ctx.lookup.topicsOfNamespace(namespace, mode),
    toError: (err) => asPulsarError(err, ClientErrorCode.LookupFailed, { retriable: true }),
  });
}
