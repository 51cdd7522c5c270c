// Partition routing (PROTOCOL.md §6.4): with a key, Java's String.hashCode over UTF-16 code units
// masked to 31 bits, modulo the partition count, so keys land where Java producers put them;
// without a key, round-robin.
import type { OutgoingMessage } from '../message/index.ts';

export type MessageRouter = (message: OutgoingMessage, numPartitions: number) => number;
export type RoutingMode = 'round-robin' | 'single' | MessageRouter;

export function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h & 0x7fffffff;
}

export function keyHashRouter(fallback: MessageRouter): MessageRouter {
  return (message, n) => (message.key !== undefined ? javaStringHash(message.key) % n : fallback(message, n));
}

/**
 * Round-robin over partitions. With batching, Java moves to the next partition only every
 * `switchEveryMs` so batches fill up; 0 switches on every message.
 */
export function roundRobinRouter(switchEveryMs = 0, start = Math.floor(Math.random() * 1024)): MessageRouter {
  let index = start;
  let switchAt = 0;
  return (_message, n) => {
    if (switchEveryMs <= 0) return index++ % n;
    const now = Date.now();
    if (now >= switchAt) {
      index++;
      switchAt = now + switchEveryMs;
    }
    return index % n;
  };
}

export function singlePartitionRouter(partition = Math.floor(Math.random() * 1024)): MessageRouter {
  return (_message, n) => partition % n;
}
