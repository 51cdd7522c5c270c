import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { diskSpace, diskWarning } from './disk.ts';

const GiB = 1024 ** 3;

describe('disk space', () => {
  it('reads the file system holding a directory', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'disk-'));
    const space = diskSpace(dir);
    expect(space.totalBytes).toBeGreaterThan(0);
    expect(space.freeBytes).toBeGreaterThanOrEqual(0);
    expect(space.freeBytes).toBeLessThanOrEqual(space.totalBytes);
    expect(space.usedFraction).toBeCloseTo(1 - space.freeBytes / space.totalBytes);
  });

  it('warns below the free-space floor or above the used fraction, naming the way out', () => {
    const space = (freeGiB: number, totalGiB: number) => ({ path: '/state', freeBytes: freeGiB * GiB, totalBytes: totalGiB * GiB, usedFraction: 1 - freeGiB / totalGiB });
    expect(diskWarning(space(50, 100))).toBeUndefined();
    expect(diskWarning(space(1.4, 252))).toMatch(/low disk space under \/state \(99\.4% used, 1\.4 GiB free\).*Not enough non-faulty bookies.*up --fresh/);
    expect(diskWarning(space(4, 10))).toMatch(/4\.0 GiB free/);
    expect(diskWarning(space(10, 1000))).toMatch(/99\.0% used/);
  });
});
