// Prerequisite failures must say what is wrong and what to do, before anything starts.
import { describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkJava, ensurePulsarDistribution, PrerequisiteError } from './distribution.ts';

function script(body: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lodestar-bin-'));
  const file = path.join(dir, 'tool');
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

describe('checkJava', () => {
  it('accepts Java 17 and later', async () => {
    expect(await checkJava(script('echo \'openjdk version "17.0.15" 2025-04-15\' >&2'))).toBe(17);
    expect(await checkJava(script('echo \'openjdk version "21" 2023-09-19\' >&2'))).toBe(21);
  });

  it('refuses Java 11 and 1.8 with the version it found', async () => {
    await expect(checkJava(script('echo \'openjdk version "11.0.2" 2019-01-15\' >&2'))).rejects.toThrow(/Java 17\+ is required.*found: openjdk version "11/);
    await expect(checkJava(script('echo \'java version "1.8.0_292"\' >&2'))).rejects.toBeInstanceOf(PrerequisiteError);
  });

  it('says how to install Java when there is none', async () => {
    await expect(checkJava('/nonexistent/java')).rejects.toThrow(/apt-get install openjdk-17-jdk-headless|JAVA_HOME/);
  });
});

describe('ensurePulsarDistribution', () => {
  it('reports a Maven resolution failure clearly and leaves no half-unpacked distribution', async () => {
    const bin = path.dirname(script('exit 0'));
    writeFileSync(path.join(bin, 'mvn'), '#!/bin/sh\necho "[ERROR] Failed to execute goal: Could not resolve artifact (offline)"\nexit 1\n');
    chmodSync(path.join(bin, 'mvn'), 0o755);
    const cache = mkdtempSync(path.join(os.tmpdir(), 'lodestar-cache-'));
    const env = { ...process.env, LODESTAR_CACHE_DIR: cache, PATH: `${bin}:${process.env.PATH}` };
    const savedPath = process.env.PATH;
    process.env.PATH = env.PATH; // execFile resolves mvn through this process's PATH
    try {
      await expect(ensurePulsarDistribution(() => {}, env)).rejects.toThrow(/Maven could not resolve org\.apache\.pulsar:pulsar-server-distribution.*\n.*offline/);
    } finally {
      process.env.PATH = savedPath;
    }
  });
});
