// What .ci/run reports and decides after `npm test`, from vitest's JSON report: counts per vitest
// project, then the checks that keep CI from passing on tests that did not run:
// - with the local stack, no integration or fault test may be skipped (a `runIf(local)` that is
//   false, an `it.skip` left behind, a file whose tests never started);
// - every project must run (pass or fail) at least the tests its floor in test/test-floors.json says;
// - a file that failed outside any test (it did not load, a hook threw) counts as a failure, and so
//   does a vitest exit status that is not 0 with nothing else failed (global setup, teardown).
// The last line is `N passed, N failed, N skipped`; each failed check adds one to `failed`.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export const PROJECTS = ['unit', 'integration', 'fault'] as const;
export type ProjectName = (typeof PROJECTS)[number];

/** The part of vitest's JSON report this reads. */
export interface VitestReport {
  testResults: {
    name: string;
    status: string;
    message?: string;
    assertionResults: { status: string; fullName: string }[];
  }[];
}

export interface ProjectCounts {
  passed: number;
  failed: number;
  skipped: number;
  /** Files that failed outside any test (did not load, a hook threw). */
  fileErrors: number;
  skippedTests: string[];
}

export interface Summary {
  projects: Record<ProjectName, ProjectCounts>;
  problems: string[];
  lines: string[];
  ok: boolean;
}

/**
 * The project a test file belongs to. The JSON report names files only, so this mirrors the
 * `include`/`exclude` globs of vitest.config.ts: test/fault/** is fault, the rest of test/** is
 * integration, everything else (beside the code) unit.
 */
export function projectOf(file: string, root: string): ProjectName {
  const relative = path.relative(root, file).split(path.sep).join('/');
  if (relative.startsWith('test/fault/')) return 'fault';
  if (relative.startsWith('test/')) return 'integration';
  return 'unit';
}

export function summarize(
  report: VitestReport,
  options: { root: string; floors: Partial<Record<ProjectName, number>>; externalMode: boolean; vitestExitStatus: number },
): Summary {
  const projects = Object.fromEntries(
    PROJECTS.map((p) => [p, { passed: 0, failed: 0, skipped: 0, fileErrors: 0, skippedTests: [] as string[] }]),
  ) as Record<ProjectName, ProjectCounts>;
  for (const file of report.testResults) {
    const counts = projects[projectOf(file.name, options.root)];
    for (const test of file.assertionResults) {
      if (test.status === 'passed') counts.passed++;
      else if (test.status === 'failed') counts.failed++;
      else {
        // skipped, pending (never finished) and todo alike: the test did not show anything.
        counts.skipped++;
        counts.skippedTests.push(`${path.relative(options.root, file.name)} > ${test.fullName} (${test.status})`);
      }
    }
    if (file.status === 'failed' && !file.assertionResults.some((t) => t.status === 'failed')) counts.fileErrors++;
  }

  const problems: string[] = [];
  for (const name of PROJECTS) {
    const counts = projects[name];
    const needsStack = name !== 'unit';
    // External clusters legitimately skip what needs the local stack (killing its processes).
    if (needsStack && options.externalMode) continue;
    if (needsStack && counts.skipped > 0) {
      problems.push(`${name}: ${counts.skipped} test(s) skipped with the local stack, where every one must run:\n${counts.skippedTests.map((t) => `    ${t}`).join('\n')}`);
    }
    const floor = options.floors[name] ?? 0;
    const ran = counts.passed + counts.failed;
    if (ran < floor) problems.push(`${name}: ran ${ran} test(s), fewer than its floor of ${floor} (test/test-floors.json)`);
  }
  const fileErrors = PROJECTS.reduce((n, p) => n + projects[p].fileErrors, 0);
  const failedTests = PROJECTS.reduce((n, p) => n + projects[p].failed, 0);
  if (options.vitestExitStatus !== 0 && failedTests === 0 && fileErrors === 0) {
    problems.push(`vitest exited ${options.vitestExitStatus} with no failed test: a global setup, teardown or unhandled error failed; see above`);
  }

  const lines = PROJECTS.map((name) => {
    const c = projects[name];
    const floor = options.floors[name];
    return `${name}: ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped` +
      (c.fileErrors > 0 ? `, ${c.fileErrors} file(s) failed outside any test` : '') +
      (floor !== undefined ? ` (floor ${floor})` : '');
  });
  lines.push(...problems.map((p) => `FAILED CHECK ${p}`));
  const passed = PROJECTS.reduce((n, p) => n + projects[p].passed, 0);
  const skipped = PROJECTS.reduce((n, p) => n + projects[p].skipped, 0);
  lines.push(`${passed} passed, ${failedTests + fileErrors + problems.length} failed, ${skipped} skipped`);
  return { projects, problems, lines, ok: problems.length === 0 && failedTests === 0 && fileErrors === 0 && options.vitestExitStatus === 0 };
}

/** Reads the floors, ignoring the file's comment key. */
export function readFloors(file: string): Partial<Record<ProjectName, number>> {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const floors: Partial<Record<ProjectName, number>> = {};
  for (const name of PROJECTS) {
    const value = raw[name];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new Error(`${file}: "${name}" must be a whole number, got ${JSON.stringify(value)}`);
    floors[name] = value;
  }
  return floors;
}

// Usage: tsx .ci/summarize.ts <report.json> <floors.json> <vitest exit status>
// Prints the per-project counts, any failed check, and the final line; exits 0 when all is well,
// 1 when a test or a check failed, 2 when the report or the floors cannot be read.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [reportFile, floorsFile, status] = process.argv.slice(2);
  if (!reportFile || !floorsFile || status === undefined) {
    console.error('usage: tsx .ci/summarize.ts <report.json> <floors.json> <vitest exit status>');
    process.exit(2);
  }
  try {
    const summary = summarize(JSON.parse(readFileSync(reportFile, 'utf8')) as VitestReport, {
      root: process.cwd(),
      floors: readFloors(floorsFile),
      // The same test as platform/regions's isExternalMode (this script imports nothing of the repo).
      externalMode: (process.env.LODESTAR_REGIONS ?? '').trim() !== '',
      vitestExitStatus: Number(status),
    });
    console.log(summary.lines.join('\n'));
    process.exit(summary.ok ? 0 : 1);
  } catch (error) {
    console.error(`cannot summarize ${reportFile}: ${(error as Error).message}`);
    process.exit(2);
  }
}
