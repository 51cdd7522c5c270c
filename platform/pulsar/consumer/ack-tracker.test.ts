import { describe, expect, it } from 'vitest';
import { MessageId } from '../message/index.ts';
import { toBigInt, type MessageIdData } from '../protocol/index.ts';
import { AckTracker } from './ack-tracker.ts';

function collect() {
  const sent: { ids: MessageIdData[]; cumulative: boolean }[] = [];
  return { sent, sink: (ids: MessageIdData[], cumulative: boolean) => { sent.push({ ids, cumulative }); return true; } };
}

describe('AckTracker', () => {
  it('groups individual acks into one ACK and acks a batch entry once all indexes are acked', () => {
    const { sent, sink } = collect();
    const t = new AckTracker(sink, { groupMs: 1000 });
    t.ack(new MessageId(1n, 1n));
    t.ack(new MessageId(1n, 2n, -1, 0, 2));
    t.flush();
    expect(sent).toHaveLength(1);
    expect(sent[0]!.ids.map((d) => toBigInt(d.entryId))).toEqual([1n]);
    t.ack(new MessageId(1n, 2n, -1, 1, 2));
    t.flush();
    expect(sent[1]!.ids.map((d) => toBigInt(d.entryId))).toEqual([2n]);
    expect(sent[1]!.ids[0]!.ackSet).toBeUndefined();
  });

  it('sends ack_set with bits set for still-unacked indexes when batch-index acks are on', () => {
    const { sent, sink } = collect();
    const t = new AckTracker(sink, { groupMs: 1000, batchIndexAck: true });
    t.ack(new MessageId(1n, 2n, -1, 1, 3));
    t.flush();
    const data = sent[0]!.ids[0]!;
    expect(data.batchSize).toBe(3);
    expect(data.ackSet!.map((w) => toBigInt(w, true))).toEqual([0b101n]);
  });

  it('keeps only the highest cumulative ack', () => {
    const { sent, sink } = collect();
    const t = new AckTracker(sink, { groupMs: 1000 });
    t.ackCumulative(new MessageId(1n, 5n));
    t.ackCumulative(new MessageId(1n, 3n));
    t.flush();
    expect(sent).toEqual([{ ids: [expect.anything()], cumulative: true }]);
    expect(toBigInt(sent[0]!.ids[0]!.entryId)).toBe(5n);
  });

  it('keeps acks it cannot send and sends them, cumulative ack set included, at the next flush', () => {
    const { sent, sink } = collect();
    let connected = false;
    const t = new AckTracker(sink, { groupMs: 1000, canSend: () => connected });
    t.ack(new MessageId(1n, 1n));
    t.ackCumulative(new MessageId(1n, 2n, -1, 1, 4));
    t.flush();
    expect(sent).toEqual([]);
    expect(t.isPendingAck(new MessageId(1n, 1n))).toBe(true);
    connected = true;
    t.flush();
    expect(sent.map((s) => s.cumulative)).toEqual([false, true]);
    const cumulative = sent[1]!.ids[0]!;
    expect(cumulative.batchIndex).toBeUndefined();
    expect(cumulative.ackSet!.map((w) => toBigInt(w, true))).toEqual([0b1100n]);
  });

  it('counts indexes the broker reported acked, so the rest completes the entry', () => {
    const { sent, sink } = collect();
    const t = new AckTracker(sink, { groupMs: 1000 });
    t.ackedByBroker(new MessageId(1n, 3n, -1, 2, 3), [0, 1, 7]);
    t.ack(new MessageId(1n, 3n, -1, 2, 3));
    t.flush();
    expect(sent).toHaveLength(1);
    expect(sent[0]!.ids[0]!.ackSet).toBeUndefined();
  });
});
