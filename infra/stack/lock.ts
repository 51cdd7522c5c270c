// One `up` at a time per state dir: two test runs (or a test run and `npm start`) starting the
// same regions at once would race for the same ports and data directories.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

function holderAlive(lockFile: string): boolean {
  try {
    const pid = Number(readFileSync(lockFile, 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 0) return false;
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function withLock<T>(lockFile: string, log: (line: string) => void, work: () => Promise<T>, waitMs = 600_000): Promise<T> {
  const deadline = Date.now() + waitMs;
  let told = false;
  for (;;) {
    try {
      writeFileSync(lockFile, `${process.pid}\n`, { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (!holderAlive(lockFile)) {
        rmSync(lockFile, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`another \`stack up\` (pid ${readFileSync(lockFile, 'utf8').trim()}) holds ${lockFile}`, { cause: error });
      if (!told) log(`waiting for another \`stack up\` (pid ${readFileSync(lockFile, 'utf8').trim()}) to finish...`);
      told = true;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  try {
    return await work();
  } finally {
    if (existsSync(lockFile) && readFileSync(lockFile, 'utf8').trim() === String(process.pid)) rmSync(lockFile, { force: true });
  }
}
