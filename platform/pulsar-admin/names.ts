// Pulsar's v2 names: a namespace is `tenant/namespace`, a topic is
// `{persistent|non-persistent}://tenant/namespace/local` (the domain may be left out: persistent).
// Checked here so a bad name fails before a request is sent, with a message that names it.
import { PulsarAdminError, PulsarAdminErrorCode } from './errors.ts';

export interface NamespaceName {
  tenant: string;
  namespace: string;
}

export type TopicDomain = 'persistent' | 'non-persistent';

export interface TopicName extends NamespaceName {
  domain: TopicDomain;
  /** The topic's own name within its namespace. */
  local: string;
}

// NamedEntity.checkName in pulsar-common allows [-=:.\w] for tenants and namespaces.
const SEGMENT = /^[-=:.\w]+$/;

function invalid(what: string, value: string, why: string): PulsarAdminError {
  return new PulsarAdminError({ code: PulsarAdminErrorCode.BAD_REQUEST, message: `invalid ${what} ${JSON.stringify(value)}: ${why}` });
}

export function parseNamespace(name: string): NamespaceName {
  const parts = name.split('/');
  if (parts.length !== 2) throw invalid('namespace', name, 'expected tenant/namespace');
  const [tenant = '', namespace = ''] = parts;
  for (const part of parts) if (!SEGMENT.test(part)) throw invalid('namespace', name, 'names may use letters, digits and - = : . _ only');
  return { tenant, namespace };
}

export function parseTopic(name: string): TopicName {
  let domain: TopicDomain = 'persistent';
  let rest = name;
  const scheme = /^([a-z-]+):\/\/(.*)$/.exec(name);
  if (scheme) {
    if (scheme[1] !== 'persistent' && scheme[1] !== 'non-persistent') throw invalid('topic', name, 'domain must be persistent or non-persistent');
    domain = scheme[1];
    rest = scheme[2] ?? '';
  }
  const parts = rest.split('/');
  if (parts.length !== 3) throw invalid('topic', name, 'expected [persistent://]tenant/namespace/topic');
  const [tenant = '', namespace = '', local = ''] = parts;
  if (!SEGMENT.test(tenant) || !SEGMENT.test(namespace)) throw invalid('topic', name, 'tenant and namespace may use letters, digits and - = : . _ only');
  if (local === '' || local === '.' || local === '..') throw invalid('topic', name, 'empty topic name');
  return { domain, tenant, namespace, local };
}

export function topicToString(topic: TopicName): string {
  return `${topic.domain}://${topic.tenant}/${topic.namespace}/${topic.local}`;
}
