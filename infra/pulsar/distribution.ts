// Fetches the pinned Apache Pulsar server distribution from Maven Central with Maven and unpacks
// it into a cache outside the clone, so a second `up` (or a second clone) downloads nothing.
// Maven Central publishes the official bin tarball as
// org.apache.pulsar:pulsar-server-distribution:<version>:tar.gz:bin; 4.0.8 is the newest 4.0.x
// (LTS) release the registry serves here (infra/CLUSTERS.md §1).
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

const PULSAR_VERSION = '4.0.8';
const ARTIFACT = `org.apache.pulsar:pulsar-server-distribution:${PULSAR_VERSION}:tar.gz:bin`;
const MIN_JAVA = 17;

export class PrerequisiteError extends Error {
  override name = 'PrerequisiteError';
}

function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.LODESTAR_CACHE_DIR ?? path.join(os.homedir(), '.cache', 'lodestar'));
}

export function pulsarHome(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(cacheDir(env), `apache-pulsar-${PULSAR_VERSION}`);
}

/** The major version of `java` on PATH (or JAVA_HOME), or a PrerequisiteError saying what to install. */
export async function checkJava(javaBin = javaExecutable()): Promise<number> {
  let output: string;
  try {
    const { stderr, stdout } = await run(javaBin, ['-version']);
    output = `${stderr}${stdout}`;
  } catch (error) {
    throw new PrerequisiteError(
      `Java ${MIN_JAVA}+ is required to run Pulsar, but \`${javaBin} -version\` failed (${(error as Error).message}). ` +
        `Install it (Debian: apt-get install openjdk-17-jdk-headless) or set JAVA_HOME.`,
    );
  }
  const match = /version "(\d+)(?:\.(\d+))?/.exec(output);
  const major = match ? (match[1] === '1' ? Number(match[2]) : Number(match[1])) : NaN;
  if (!(major >= MIN_JAVA)) {
    throw new PrerequisiteError(`Java ${MIN_JAVA}+ is required to run Pulsar ${PULSAR_VERSION}; found: ${output.split('\n')[0]}`);
  }
  return major;
}

export function javaExecutable(env: NodeJS.ProcessEnv = process.env): string {
  return env.JAVA_HOME ? path.join(env.JAVA_HOME, 'bin', 'java') : 'java';
}

/** Ensures the distribution is unpacked in the cache; returns its home directory. */
export async function ensurePulsarDistribution(log: (line: string) => void, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const home = pulsarHome(env);
  if (existsSync(path.join(home, 'lib')) && existsSync(path.join(home, 'conf', 'standalone.conf'))) return home;

  const downloads = path.join(cacheDir(env), 'downloads');
  mkdirSync(downloads, { recursive: true });
  const tarball = path.join(downloads, `pulsar-server-distribution-${PULSAR_VERSION}-bin.tar.gz`);
  if (!existsSync(tarball)) {
    log(`fetching Apache Pulsar ${PULSAR_VERSION} from Maven Central (${ARTIFACT}, ~245 MB)...`);
    try {
      await run('mvn', ['-B', '-q', 'dependency:copy', `-Dartifact=${ARTIFACT}`, `-DoutputDirectory=${downloads}`], {
        maxBuffer: 64 * 1024 * 1024,
      });
    } catch (error) {
      const e = error as NodeJS.ErrnoException & { stdout?: string; stderr?: string };
      if (e.code === 'ENOENT') {
        throw new PrerequisiteError('Maven (`mvn`) is required to fetch Pulsar from Maven Central. Install it (Debian: apt-get install maven).');
      }
      const detail = `${e.stdout ?? ''}${e.stderr ?? ''}`.split('\n').filter((l) => l.includes('ERROR')).slice(0, 3).join('\n');
      throw new PrerequisiteError(
        `Maven could not resolve ${ARTIFACT}. Is Maven Central reachable (offline mode, proxy, settings.xml mirror)?\n${detail}`,
      );
    }
  }

  // Unpack beside the final place and rename, so an interrupted unpack never looks complete.
  const partial = `${home}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  log(`unpacking ${path.basename(tarball)} into ${cacheDir(env)}...`);
  await run('tar', ['xzf', tarball, '-C', partial, '--strip-components=1']);
  if (!readdirSync(partial).includes('lib')) throw new PrerequisiteError(`unexpected layout in ${tarball}: no lib/`);
  rmSync(home, { recursive: true, force: true });
  renameSync(partial, home);
  // Maven's local repository keeps its own copy; a second one here would only cost 235 MB.
  rmSync(tarball, { force: true });
  return home;
}
