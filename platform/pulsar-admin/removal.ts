// Deleting what the broker deletes asynchronously: topics (and the namespaces and tenants that
// hold them). A forced topic delete closes producers, consumers and replicators first, and the
// broker answers only when all of that is done. Three things make one attempt unreliable:
// - narrowing a namespace's replication closes its replicators in the background; a delete that
//   overlaps that close can fail; seen once in CI, such a delete got no answer within 30 s and the
//   next call on the topic was refused with 500 "Topic is already fenced";
// - a delete whose answer we never got (our timeout, the caller's abort) goes on running on the
//   broker: the next attempt is then refused as fenced, or answered 404;
// - that 404 does not mean the resource is gone. A forced tenant delete deletes each namespace
//   and answers with the first failure; when an earlier namespace delete is still removing one of
//   them, the tenant delete answers 404 ("Namespace does not exist") and leaves the tenant in
//   place (seen on Pulsar 4.0.8 when 15 tenants were deleted at once; the control plane counted
//   that 404 as done and the empty tenant stayed for good).
// So: narrow, wait until this cluster's replicators are gone, then delete, and retry until a look
// at the cluster shows the resource gone, or the time runs out.
import { isPulsarAdminError, PulsarAdminError, PulsarAdminErrorCode } from './errors.ts';
import type { CallOptions } from './http.ts';
import type { Namespaces } from './namespaces.ts';
import type { Topics } from './topics.ts';
import { sameSet } from './ensure.ts';

export interface RemovalOptions extends CallOptions {
  /** How long to keep retrying a deletion that failed in a retriable way. Default 90 s. */
  retryForMs?: number;
  /** How long to wait for replicators to close after narrowing replication. Default 10 s. */
  replicatorsGoneWithinMs?: number;
}

const DEFAULT_RETRY_FOR_MS = 90_000;
const DEFAULT_REPLICATORS_GONE_MS = 10_000;
const FIRST_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 4_000;
const POLL_MS = 100;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The per-request part of removal options, for the single calls a removal makes. */
export function callOptions({ signal, timeoutMs }: CallOptions): CallOptions {
  return { signal, timeoutMs };
}

/**
 * Runs `remove` until the resource is gone. A retriable failure (timeout, fenced, unavailable, ...)
 * is retried with backoff (250 ms doubling to 4 s) for up to `retryForMs`; then the last error is
 * thrown. A 404 is checked with `gone` (a read of the cluster): gone on the first attempt means
 * there was nothing to delete (NOT_FOUND is thrown); gone after a failed attempt means that
 * attempt finished on the broker (done); still there is NOT_GONE, retried like any retriable
 * failure.
 */
export async function removeUntilGone(remove: () => Promise<void>, gone: () => Promise<boolean>, options: RemovalOptions = {}): Promise<void> {
  const deadline = Date.now() + (options.retryForMs ?? DEFAULT_RETRY_FOR_MS);
  let backoff = FIRST_BACKOFF_MS;
  for (let attempt = 1; ; attempt++) {
    let failure: unknown;
    try {
      await remove();
      return;
    } catch (error) {
      failure = error;
    }
    if (isPulsarAdminError(failure, PulsarAdminErrorCode.NOT_FOUND)) {
      if (await gone()) {
        if (attempt === 1) throw failure;
        return;
      }
      failure = new PulsarAdminError({
        code: PulsarAdminErrorCode.NOT_GONE,
        status: failure.status,
        reason: failure.reason,
        method: failure.method,
        path: failure.path,
        message: `${failure.message}; but it is still there`,
        cause: failure,
      });
    }
    if (!isPulsarAdminError(failure) || !failure.retriable || options.signal?.aborted) throw failure;
    if (Date.now() + backoff > deadline) throw failure;
    await sleep(backoff);
    backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
  }
}

/** NOT_FOUND as false: for probes whose 404 means "no such thing here". */
export async function unlessMissing<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if (isPulsarAdminError(error, PulsarAdminErrorCode.NOT_FOUND)) return undefined;
    throw error;
  }
}

/**
 * Replication of `namespace` narrowed to `cluster` (the cluster this client talks to), then waits
 * until no topic of the namespace in this cluster still has a replicator to another cluster, for
 * up to `replicatorsGoneWithinMs`. Returns whether they were all gone in time; a caller that
 * deletes next goes ahead either way, relying on removeUntilGone.
 */
export async function narrowReplication(
  namespaces: Namespaces,
  topics: Topics,
  namespace: string,
  cluster: string,
  options: RemovalOptions = {},
): Promise<boolean> {
  const call = callOptions(options);
  const clusters = await namespaces.getReplicationClusters(namespace, call);
  if (!sameSet(clusters, [cluster])) await namespaces.setReplicationClusters(namespace, [cluster], call);
  const deadline = Date.now() + (options.replicatorsGoneWithinMs ?? DEFAULT_REPLICATORS_GONE_MS);
  for (;;) {
    if (!(await anyRemoteReplicator(topics, namespace, cluster, call))) return true;
    if (Date.now() + POLL_MS > deadline || call.signal?.aborted) return false;
    await sleep(POLL_MS);
  }
}

async function anyRemoteReplicator(topics: Topics, namespace: string, cluster: string, call: CallOptions): Promise<boolean> {
  for (const topic of await topics.list(namespace, call)) {
    try {
      const stats = await topics.stats(topic, call);
      if (Object.keys(stats.replication ?? {}).some((remote) => remote !== cluster)) return true;
    } catch (error) {
      // Deleted meanwhile: it holds no replicator. Fenced or slow: it may, so look again.
      if (isPulsarAdminError(error, PulsarAdminErrorCode.NOT_FOUND)) continue;
      if (isPulsarAdminError(error) && error.retriable) return true;
      throw error;
    }
  }
  return false;
}
