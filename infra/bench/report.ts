// What `npm run bench:client` prints: one row per measured phase, ours/Java ratios, and the
// performance goals (GOALS below) as met, not met or not measured. Text for people, or JSON.
import type { LatencySummary } from './histogram.ts';
import type { Pauses } from './pauses.ts';

export interface PhaseRow {
  /** e.g. "produce, max rate". */
  phase: string;
  client: 'java' | 'ours';
  messages: number;
  rate: number;
  /** Publish latency (send → ack), or for copiers receive → persisted/committed. */
  latency?: LatencySummary;
  /** process.cpuUsage() per message, our client only. */
  cpuUsPerMessage?: number;
  /** Event-loop delay and GC pauses of our process during the phase. */
  pauses?: Pauses;
  /** Our produce phases: the slowest ack and when its send was made (s into the phase). */
  slowest?: { ms: number; sentAtS: number };
  note?: string;
}

export interface Goal {
  goal: string;
  /** What was compared, in words with the figures. */
  measured: string;
  /** ours/java (or txn/plain); undefined when not measured. */
  ratio?: number;
  met: boolean | 'not measured';
}

export interface BenchReport {
  date: string;
  command: string;
  machine: { cores: number; cpuModel: string; memoryGiB: number; node: string };
  settings: Record<string, string | number>;
  notes: string[];
  rows: PhaseRow[];
  goals: Goal[];
  notMeasured: { what: string; why: string }[];
}

/** The figures the goals are judged on; undefined for what could not be measured. */
export interface GoalInputs {
  javaProduceRate?: number;
  oursProduceRate?: number;
  javaConsumeRate?: number;
  oursConsumeRate?: number;
  halfRate?: number;
  /** What each client actually reached when asked for halfRate. */
  javaHalfAchieved?: number;
  oursHalfAchieved?: number;
  javaHalfP99?: number;
  oursHalfP99?: number;
  plainCopyRate?: number;
  txnCopyRate?: number;
  produceCostUs?: number;
  consumeCostUs?: number;
  /** Why a figure is missing, by goal name. */
  reasons?: Record<string, string>;
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export const GOALS = {
  produce: 'produce throughput ≥ 1.0× Java',
  consume: 'consume throughput ≥ 1.0× Java',
  halfP99: 'p99 at half of Java\'s max rate ≤ Java\'s p99 at that rate',
  txn: 'transactional copier ≥ 0.7× non-transactional',
  produceCost: 'client CPU ≤ 2 µs per produced message',
  consumeCost: 'client CPU ≤ 2 µs per consumed message',
} as const;

export function evaluateGoals(g: GoalInputs): Goal[] {
  const why = (name: string) => g.reasons?.[name] ?? 'a phase it needs failed';
  const ratioGoal = (name: string, ours: number | undefined, ref: number | undefined, min: number, unit: string, labels: [string, string]): Goal => {
    if (ours === undefined || ref === undefined || ref <= 0) return { goal: name, measured: `not measured: ${why(name)}`, met: 'not measured' };
    const ratio = ours / ref;
    return { goal: name, measured: `${labels[0]} ${fmt(ours)} ${unit} vs ${labels[1]} ${fmt(ref)} ${unit}`, ratio, met: ratio >= min };
  };
  const costGoal = (name: string, us: number | undefined): Goal => us === undefined
    ? { goal: name, measured: `not measured: ${why(name)}`, met: 'not measured' }
    : { goal: name, measured: `${fmt(us, 2)} µs/msg`, met: us <= 2 };
  let half: Goal;
  if (g.oursHalfP99 === undefined || g.javaHalfP99 === undefined) {
    half = { goal: GOALS.halfP99, measured: `not measured: ${why(GOALS.halfP99)}`, met: 'not measured' };
  } else {
    half = {
      goal: GOALS.halfP99,
      measured: `at ${fmt(g.halfRate ?? 0)} msg/s: ours p99 ${fmt(g.oursHalfP99, 2)} ms vs Java p99 ${fmt(g.javaHalfP99, 2)} ms${shortfall(g)}`,
      ratio: g.javaHalfP99 > 0 ? g.oursHalfP99 / g.javaHalfP99 : undefined,
      met: g.oursHalfP99 <= g.javaHalfP99,
    };
  }
  return [
    ratioGoal(GOALS.produce, g.oursProduceRate, g.javaProduceRate, 1, 'msg/s', ['ours', 'Java']),
    ratioGoal(GOALS.consume, g.oursConsumeRate, g.javaConsumeRate, 1, 'msg/s', ['ours', 'Java']),
    half,
    ratioGoal(GOALS.txn, g.txnCopyRate, g.plainCopyRate, 0.7, 'msg/s', ['txn', 'plain']),
    costGoal(GOALS.produceCost, g.produceCostUs),
    costGoal(GOALS.consumeCost, g.consumeCostUs),
  ];
}

/** A client that fell short of the asked rate was not measured at the same load: say so. */
function shortfall(g: GoalInputs): string {
  const asked = g.halfRate ?? 0;
  const short = ([['Java', g.javaHalfAchieved], ['ours', g.oursHalfAchieved]] as const)
    .filter(([, got]) => got !== undefined && got < 0.95 * asked)
    .map(([who, got]) => `${who} reached only ${fmt(got!)} msg/s`);
  return short.length ? ` (${short.join(', ')}: not the same load)` : '';
}

function latencyCells(l: LatencySummary | undefined): string[] {
  return l ? [fmt(l.p50, 2), fmt(l.p99, 2), fmt(l.p999, 2)] : ['-', '-', '-'];
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function formatText(r: BenchReport): string {
  const out: string[] = [];
  out.push(`Lodestar client benchmark — ${r.date}`);
  out.push(`command: ${r.command}`);
  out.push(`machine: ${r.machine.cores} cores (${r.machine.cpuModel}), ${fmt(r.machine.memoryGiB, 1)} GiB, Node ${r.machine.node}`);
  out.push(`settings: ${Object.entries(r.settings).map(([k, v]) => `${k}=${v}`).join(', ')}`);
  for (const n of r.notes) out.push(`note: ${n}`);
  out.push('');
  out.push(table(
    ['phase', 'client', 'messages', 'msg/s', 'p50 ms', 'p99 ms', 'p99.9 ms', 'cpu µs/msg', 'note'],
    r.rows.map((row) => [
      row.phase, row.client, fmt(row.messages), fmt(row.rate), ...latencyCells(row.latency),
      row.cpuUsPerMessage === undefined ? '-' : fmt(row.cpuUsPerMessage, 2), row.note ?? '',
    ]),
  ));
  const paused = r.rows.filter((row) => row.pauses);
  if (paused.length > 0) {
    out.push('');
    out.push(table(
      ['our process during', 'loop delay p99 ms', 'loop delay max ms', 'GC max ms', 'GC total ms', 'slowest ack'],
      paused.map((row) => [
        row.phase, fmt(row.pauses!.loopDelayP99Ms, 1), fmt(row.pauses!.loopDelayMaxMs, 1), fmt(row.pauses!.gcMaxMs, 1), fmt(row.pauses!.gcTotalMs),
        row.slowest ? `${fmt(row.slowest.ms)} ms, sent at ${fmt(row.slowest.sentAtS, 1)} s` : '-',
      ]),
    ));
  }
  out.push('');
  out.push(table(
    ['goal', 'ratio', 'met', 'measured'],
    r.goals.map((g) => [g.goal, g.ratio === undefined ? '-' : `${fmt(g.ratio, 2)}×`, g.met === 'not measured' ? 'not measured' : g.met ? 'yes' : 'NO', g.measured]),
  ));
  for (const m of r.notMeasured) out.push(`not measured: ${m.what}: ${m.why}`);
  return out.join('\n');
}
