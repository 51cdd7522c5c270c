import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectOf, readFloors, summarize, type VitestReport } from './summarize.ts';

const root = '/repo';
type Status = 'passed' | 'failed' | 'skipped' | 'pending' | 'todo';

function file(relative: string, statuses: Status[], fileStatus?: 'passed' | 'failed'): VitestReport['testResults'][number] {
  return {
    name: path.join(root, relative),
    status: fileStatus ?? (statuses.includes('failed') ? 'failed' : 'passed'),
    assertionResults: statuses.map((status, i) => ({ status, fullName: `case ${i}` })),
  };
}

const allRan: VitestReport = {
  testResults: [
    file('platform/pulsar/a.test.ts', ['passed', 'passed', 'skipped']),
    file('infra/stack/b.test.ts', ['passed']),
    file('test/pulsar/c.test.ts', ['passed', 'passed']),
    file('test/fault/d.test.ts', ['passed']),
  ],
};
const floors = { unit: 3, integration: 2, fault: 1 };
const local = { root, floors, externalMode: false, vitestExitStatus: 0 };

describe('projectOf', () => {
  it('follows vitest.config.ts: test/fault is fault, the rest of test/ integration, the rest unit', () => {
    expect(projectOf('/repo/test/fault/x.test.ts', root)).toBe('fault');
    expect(projectOf('/repo/test/start/npm-start.test.ts', root)).toBe('integration');
    expect(projectOf('/repo/platform/pulsar/test/x.test.ts', root)).toBe('unit');
    expect(projectOf('/repo/.ci/summarize.test.ts', root)).toBe('unit');
  });
});

describe('summarize', () => {
  it('prints counts per project and the final line, and passes when everything ran', () => {
    const s = summarize(allRan, local);
    expect(s.problems).toEqual([]);
    expect(s.ok).toBe(true);
    expect(s.lines).toEqual([
      'unit: 3 passed, 0 failed, 1 skipped (floor 3)',
      'integration: 2 passed, 0 failed, 0 skipped (floor 2)',
      'fault: 1 passed, 0 failed, 0 skipped (floor 1)',
      '6 passed, 0 failed, 1 skipped',
    ]);
  });

  it('fails when an integration or fault test is skipped with the local stack, naming it', () => {
    for (const skipped of [file('test/pulsar/e.test.ts', ['skipped']), file('test/fault/f.test.ts', ['todo'])]) {
      const s = summarize({ testResults: [...allRan.testResults, skipped] }, local);
      expect(s.ok).toBe(false);
      expect(s.problems).toHaveLength(1);
      expect(s.problems[0]).toContain(`${skipped.name.slice(root.length + 1)} > case 0`);
      expect(s.lines.at(-1)).toBe('6 passed, 1 failed, 2 skipped');
    }
  });

  it('lets external mode skip what needs the local stack, and checks no floor there', () => {
    const report = { testResults: [...allRan.testResults.slice(0, 2), file('test/fault/d.test.ts', ['skipped'])] };
    expect(summarize(report, { ...local, externalMode: true }).ok).toBe(true);
    expect(summarize(report, local).ok).toBe(false);
  });

  it('fails when a project ran fewer tests than its floor, every test passing', () => {
    const s = summarize(allRan, { ...local, floors: { ...floors, integration: 3 } });
    expect(s.ok).toBe(false);
    expect(s.problems).toEqual(['integration: ran 2 test(s), fewer than its floor of 3 (test/test-floors.json)']);
    expect(s.lines.at(-1)).toBe('6 passed, 1 failed, 1 skipped');
  });

  it('does not count skipped unit tests toward the unit floor', () => {
    expect(summarize(allRan, { ...local, floors: { unit: 4 } }).ok).toBe(false);
  });

  it('passes nothing when no test ran at all', () => {
    const s = summarize({ testResults: [] }, local);
    expect(s.ok).toBe(false);
    expect(s.problems).toHaveLength(3);
  });

  it('counts a file that failed outside any test, and a non-zero vitest exit with nothing failed', () => {
    const broken = summarize({ testResults: [...allRan.testResults, file('test/pulsar/g.test.ts', [], 'failed')] }, local);
    expect(broken.ok).toBe(false);
    expect(broken.lines[1]).toBe('integration: 2 passed, 0 failed, 0 skipped, 1 file(s) failed outside any test (floor 2)');
    expect(broken.lines.at(-1)).toBe('6 passed, 1 failed, 1 skipped');

    const teardown = summarize(allRan, { ...local, vitestExitStatus: 1 });
    expect(teardown.ok).toBe(false);
    expect(teardown.lines.at(-1)).toBe('6 passed, 1 failed, 1 skipped');
  });

  it('does not add a check failure for a non-zero exit that failed tests explain', () => {
    const s = summarize({ testResults: [...allRan.testResults, file('test/pulsar/h.test.ts', ['failed'])] }, { ...local, vitestExitStatus: 1 });
    expect(s.ok).toBe(false);
    expect(s.problems).toEqual([]);
    expect(s.lines.at(-1)).toBe('6 passed, 1 failed, 1 skipped');
  });
});

describe('readFloors', () => {
  const write = (content: unknown) => {
    const f = path.join(mkdtempSync(path.join(os.tmpdir(), 'floors-')), 'floors.json');
    writeFileSync(f, JSON.stringify(content));
    return f;
  };

  it('reads the per-project minimums and ignores the comment', () => {
    expect(readFloors(write({ '//': 'raise me', unit: 10, fault: 2 }))).toEqual({ unit: 10, fault: 2 });
  });

  it('rejects a floor that is not a whole number', () => {
    expect(() => readFloors(write({ unit: '10' }))).toThrow(/"unit" must be a whole number/);
  });
});
