// Free space where the stack keeps its data. A bookie past its disk usage threshold (0.99 in
// standalone.conf) turns read-only, and the broker then answers every write with
// "Not enough non-faulty bookies available", which says nothing about disks: warn before that.
import { statfsSync } from 'node:fs';

export interface DiskSpace {
  path: string;
  freeBytes: number;
  totalBytes: number;
  usedFraction: number;
}

export function diskSpace(dir: string): DiskSpace {
  const s = statfsSync(dir);
  const totalBytes = s.blocks * s.bsize;
  // bavail: what an unprivileged writer may still use, as `df` reports it.
  const freeBytes = s.bavail * s.bsize;
  return { path: dir, freeBytes, totalBytes, usedFraction: totalBytes === 0 ? 0 : 1 - freeBytes / totalBytes };
}

export interface DiskLimits {
  /** Warn below this much free space. Default 5 GiB: one benchmark run writes a few GiB. */
  minFreeBytes: number;
  /** Warn above this fraction used. Default 0.95, short of the bookie's 0.99. */
  maxUsedFraction: number;
}

const GiB = 1024 ** 3;
const DEFAULT_DISK_LIMITS: DiskLimits = { minFreeBytes: 5 * GiB, maxUsedFraction: 0.95 };

/** A warning for people, or undefined when there is room. */
export function diskWarning(space: DiskSpace, limits: DiskLimits = DEFAULT_DISK_LIMITS): string | undefined {
  if (space.freeBytes >= limits.minFreeBytes && space.usedFraction <= limits.maxUsedFraction) return undefined;
  const used = `${(space.usedFraction * 100).toFixed(1)}% used, ${(space.freeBytes / GiB).toFixed(1)} GiB free`;
  return `low disk space under ${space.path} (${used}): the bookies stop taking writes at 99% used and brokers then answer `
    + '"Not enough non-faulty bookies available". Free space, or wipe the stack\'s data with `npm run stack -- up --fresh`.';
}
