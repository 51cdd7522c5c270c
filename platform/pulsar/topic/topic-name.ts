// Topic names: `[persistent|non-persistent]://tenant/namespace/local`, with short forms
// `local` (public/default) and `tenant/namespace/local`. Partition i of T is `T-partition-i`
// (PROTOCOL.md §3.4).
import { ClientErrorCode, PulsarError } from '../errors.ts';

const PARTITION_SUFFIX = '-partition-';

export class TopicName {
  readonly domain: 'persistent' | 'non-persistent';
  readonly tenant: string;
  readonly namespace: string;
  readonly localName: string;
  /** -1 when this is not a partition of a partitioned topic. */
  readonly partitionIndex: number;

  private constructor(domain: 'persistent' | 'non-persistent', tenant: string, namespace: string, localName: string) {
    this.domain = domain;
    this.tenant = tenant;
    this.namespace = namespace;
    this.localName = localName;
    const at = localName.lastIndexOf(PARTITION_SUFFIX);
    const index = at > 0 ? localName.slice(at + PARTITION_SUFFIX.length) : '';
    this.partitionIndex = /^\d+$/.test(index) ? Number(index) : -1;
  }

  static parse(name: string): TopicName {
    const bad = (why: string): never => {
      throw new PulsarError(ClientErrorCode.InvalidTopicName, `invalid topic name "${name}": ${why}`);
    };
    let domain: 'persistent' | 'non-persistent' = 'persistent';
    let rest = name;
    const sep = name.indexOf('://');
    if (sep >= 0) {
      const d = name.slice(0, sep);
      if (d !== 'persistent' && d !== 'non-persistent') bad(`unknown domain ${d}`);
      domain = d as 'persistent' | 'non-persistent';
      rest = name.slice(sep + 3);
    }
    const parts = rest.split('/');
    if (sep < 0 && parts.length === 1) parts.unshift('public', 'default');
    if (parts.length !== 3) bad('expected tenant/namespace/topic');
    if (parts.some((p) => p === '')) bad('empty part');
    return new TopicName(domain, parts[0]!, parts[1]!, parts[2]!);
  }

  get isPartition(): boolean {
    return this.partitionIndex >= 0;
  }

  /** The partitioned topic this partition belongs to (itself when not a partition). */
  get base(): TopicName {
    if (!this.isPartition) return this;
    return new TopicName(this.domain, this.tenant, this.namespace, this.localName.slice(0, this.localName.lastIndexOf(PARTITION_SUFFIX)));
  }

  partition(index: number): TopicName {
    return new TopicName(this.domain, this.tenant, this.namespace, `${this.base.localName}${PARTITION_SUFFIX}${index}`);
  }

  toString(): string {
    return `${this.domain}://${this.tenant}/${this.namespace}/${this.localName}`;
  }
}
