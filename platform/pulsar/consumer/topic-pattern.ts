// Regex subscriptions: which topics of one namespace a pattern such as
// `persistent://public/default/orders-.*` names. The namespace comes from the pattern's first two
// segments, GET_TOPICS_OF_NAMESPACE lists it (partitions one by one), and, as Java does, a topic
// matches when its partitioned name without the `persistent://` scheme matches the pattern
// without its scheme, whole. Filtering stays here: the broker's own pattern filter speaks Java
// regex, which is not JavaScript's. System topics (`__change_events`, transaction buffers and
// pending-ack logs, which `.*` would otherwise match) are never selected, as in Java.
import { ClientErrorCode, PulsarError } from '../errors.ts';
import { TopicName } from '../topic/index.ts';

/** Which domains a pattern subscription covers (GET_TOPICS_OF_NAMESPACE.mode). */
export const TopicsPatternMode = { persistent: 0, 'non-persistent': 1, all: 2 } as const;
export type TopicsPatternMode = keyof typeof TopicsPatternMode;

export interface TopicPattern {
  /** tenant/namespace */
  namespace: string;
  mode: TopicsPatternMode;
  /** The partitioned (base) names among `topics` that match, each once, in order. */
  select(topics: readonly string[]): string[];
}

const SCHEME = /^(persistent|non-persistent):\/\//;

export function parseTopicPattern(pattern: string | RegExp, mode?: TopicsPatternMode): TopicPattern {
  // A RegExp literal's source escapes its slashes (`public\/default\/x`); unescaped, it splits like a string.
  const source = typeof pattern === 'string' ? pattern : pattern.source.replace(/\\\//g, '/');
  const bad = (why: string): never => {
    throw new PulsarError(ClientErrorCode.InvalidConfiguration, `topicsPattern "${source}": ${why}`);
  };
  const scheme = SCHEME.exec(source)?.[1] as 'persistent' | 'non-persistent' | undefined;
  const body = source.replace(SCHEME, '');
  const [tenant, ns] = body.split('/');
  const literal = /^[\w.-]+$/;
  if (!tenant || !ns || !literal.test(tenant) || !literal.test(ns) || body.split('/').length < 3) {
    bad('expected [persistent://]tenant/namespace/<regex> with a literal tenant and namespace');
  }
  let regex: RegExp;
  try {
    regex = new RegExp(`^(?:${body})$`, typeof pattern === 'string' ? '' : pattern.flags.replace(/[gy]/g, ''));
  } catch (err) {
    return bad(`not a valid regular expression (${(err as Error).message})`);
  }
  const chosen = mode ?? (scheme === 'non-persistent' ? 'non-persistent' : 'persistent');
  if (!(chosen in TopicsPatternMode)) bad(`unknown mode ${String(chosen)}`);
  const domainOk = (domain: string): boolean => chosen === 'all' || domain === chosen;
  return {
    namespace: `${tenant}/${ns}`,
    mode: chosen,
    select(topics) {
      const out = new Set<string>();
      for (const name of topics) {
        let base: TopicName;
        try {
          base = TopicName.parse(name).base;
        } catch {
          continue; // a name we cannot parse is no topic of ours
        }
        if (!domainOk(base.domain) || isSystemTopic(base.localName)) continue;
        if (regex.test(`${base.tenant}/${base.namespace}/${base.localName}`)) out.add(String(base));
      }
      return [...out];
    },
  };
}

/** Broker-internal topics: `__`-prefixed ones and subscriptions' transaction pending-ack logs. */
function isSystemTopic(localName: string): boolean {
  return localName.startsWith('__') || localName.endsWith('__transaction_pending_ack');
}
