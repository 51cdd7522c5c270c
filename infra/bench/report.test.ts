import { describe, expect, it } from 'vitest';
import { GOALS, evaluateGoals, formatText } from './report.ts';

describe('evaluateGoals', () => {
  it('judges every goal from the figures', () => {
    const goals = evaluateGoals({
      javaProduceRate: 60_000, oursProduceRate: 66_000, javaConsumeRate: 40_000, oursConsumeRate: 20_000,
      halfRate: 30_000, javaHalfAchieved: 30_000, oursHalfAchieved: 29_900, javaHalfP99: 10, oursHalfP99: 12,
      plainCopyRate: 10_000, txnCopyRate: 7_000, produceCostUs: 1.5, consumeCostUs: 2.5,
    });
    expect(goals.map((g) => [g.goal, g.met])).toEqual([
      [GOALS.produce, true], [GOALS.consume, false], [GOALS.halfP99, false], [GOALS.txn, true],
      [GOALS.produceCost, true], [GOALS.consumeCost, false],
    ]);
    expect(goals[0]!.ratio).toBeCloseTo(1.1);
    expect(goals[2]!.measured).not.toMatch(/same load/);
  });

  it('says when a client did not reach the half rate', () => {
    const [, , half] = evaluateGoals({ halfRate: 30_000, javaHalfAchieved: 20_000, oursHalfAchieved: 30_000, javaHalfP99: 10, oursHalfP99: 5 });
    expect(half!.measured).toMatch(/Java reached only 20,000 msg\/s: not the same load/);
  });

  it('marks what could not be measured, with the reason', () => {
    const goals = evaluateGoals({ reasons: { [GOALS.txn]: 'transactional copier: coordinator not found' } });
    expect(goals.every((g) => g.met === 'not measured')).toBe(true);
    expect(goals[3]!.measured).toBe('not measured: transactional copier: coordinator not found');
  });
});

describe('formatText', () => {
  it('prints our process\'s pauses for the phases that measured them', () => {
    const text = formatText({
      date: 'd', command: 'c', machine: { cores: 2, cpuModel: 'x', memoryGiB: 1, node: '20' }, settings: {}, notes: [], notMeasured: [],
      rows: [
        { phase: 'produce, max rate', client: 'java', messages: 1, rate: 1 },
        { phase: 'produce, max rate', client: 'ours', messages: 1, rate: 1, pauses: { loopDelayP99Ms: 3.2, loopDelayMaxMs: 512, gcMaxMs: 7.5, gcTotalMs: 40 }, slowest: { ms: 1212.4, sentAtS: 7.25 } },
      ],
      goals: [],
    });
    expect(text).toMatch(/our process during\s+loop delay p99 ms/);
    expect(text).toMatch(/produce, max rate\s+3\.2\s+512\.0\s+7\.5\s+40\s+1,212 ms, sent at 7\.3 s/);
  });
});
