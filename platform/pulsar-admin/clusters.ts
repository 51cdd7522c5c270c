// /admin/v2/clusters: the clusters a Pulsar instance knows. Each of our local regions is its own
// instance (own configuration store), so geo-replication needs every peer registered in each
// region: PUT creates (409 if present), POST updates, both with a ClusterData body.
import type { AdminHttp, CallOptions } from './http.ts';
import { adminPath } from './http.ts';
import type { EnsureResult } from './ensure.ts';
import { createUnlessExists, matches } from './ensure.ts';

/** ClusterData (pulsar-common ClusterDataImpl); the fields we set or read, others pass through. */
export interface ClusterData {
  /** Web service URL of the cluster, http://host:port. */
  serviceUrl?: string;
  serviceUrlTls?: string;
  /** Binary protocol URL, pulsar://host:port: where replicators connect. */
  brokerServiceUrl?: string;
  brokerServiceUrlTls?: string;
  /** Client auth plugin class replicators use towards this cluster. */
  authenticationPlugin?: string;
  /** Its parameters, e.g. `token:<jwt>`: a secret, never log it. */
  authenticationParameters?: string;
  proxyServiceUrl?: string;
  proxyProtocol?: string;
  peerClusterNames?: string[];
  brokerClientTlsEnabled?: boolean;
  [field: string]: unknown;
}

export class Clusters {
  readonly #http: AdminHttp;

  constructor(http: AdminHttp) {
    this.#http = http;
  }

  async list(options?: CallOptions): Promise<string[]> {
    return this.#http.get<string[]>('/admin/v2/clusters', options);
  }

  async get(cluster: string, options?: CallOptions): Promise<ClusterData> {
    return this.#http.get<ClusterData>(adminPath`/admin/v2/clusters/${cluster}`, options);
  }

  /** 409 CONFLICT if it exists. Needs a superuser token. */
  async create(cluster: string, data: ClusterData, options?: CallOptions): Promise<void> {
    return this.#http.put(adminPath`/admin/v2/clusters/${cluster}`, { ...options, body: data });
  }

  async update(cluster: string, data: ClusterData, options?: CallOptions): Promise<void> {
    return this.#http.post(adminPath`/admin/v2/clusters/${cluster}`, { ...options, body: data });
  }

  /** 412 PRECONDITION_FAILED while namespaces still use the cluster. */
  async delete(cluster: string, options?: CallOptions): Promise<void> {
    return this.#http.delete(adminPath`/admin/v2/clusters/${cluster}`, options);
  }

  /** Creates the cluster or, when it exists with other values for the fields in `data`, updates it. */
  async ensure(cluster: string, data: ClusterData, options?: CallOptions): Promise<EnsureResult> {
    if (await createUnlessExists(() => this.create(cluster, data, options))) return { created: true, changed: [] };
    if (matches(data, await this.get(cluster, options))) return { created: false, changed: [] };
    await this.update(cluster, data, options);
    return { created: false, changed: ['cluster'] };
  }
}
