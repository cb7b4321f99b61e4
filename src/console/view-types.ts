// The console data API's Cluster, DNS, Resources and Activity views, as GET /aksemu/console/views
// and the event stream send them. No imports: the browser bundle (console/) type-checks against
// this file too.

export interface PodView {
  namespace: string;
  name: string;
  ip?: string;
  phase?: string;
}

export interface NodeView {
  name: string;
  pool: string;
  ip: string;
  subnetId?: string;
  ready?: boolean;
  pods: PodView[];
}

export interface EndpointView {
  /** What a person reads: "public FQDN", "private FQDN", "kube-apiserver ILB VIP". */
  what: string;
  value: string;
  /** Who can reach it, in words. */
  reach: string;
}

export interface ClusterView {
  id: string;
  name: string;
  resourceGroup: string;
  provisioningState?: string;
  powerState?: string;
  privateCluster: boolean;
  vnetIntegration: boolean;
  apiServerMode?: string;
  vip?: string;
  apiServerSubnetId?: string;
  endpoints: EndpointView[];
  kubeletServer: string;
  pools: Array<{ name: string; count?: number; vmSize?: string; nodes: NodeView[] }>;
  warnings: string[];
}

export interface DnsZoneView {
  id: string;
  name: string;
  resourceGroup: string;
  records: Array<{ name: string; type: string; values: string[]; ttl?: number }>;
  links: Array<{ name: string; vnetId: string; registrationEnabled: boolean }>;
}

export interface PublicRecordView {
  cluster: string;
  name: string;
  address: string;
}

export interface ResourceView {
  id: string;
  name: string;
  type: string;
  provisioningState?: string;
}

export interface SubscriptionView {
  subscriptionId: string;
  displayName?: string;
  groups: Array<{ name: string; id: string; location?: string; provisioningState?: string; resources: ResourceView[] }>;
  providers: Array<{ namespace: string; registrationState: string }>;
  features: Array<{ name: string; state: string }>;
}

export interface ActivityRow {
  /** Request begin, ISO 8601. */
  time: string;
  operationName: string;
  method: string;
  resourceId: string;
  caller: string;
  correlationId: string;
  statusCode: number;
  /** Started/Accepted/Succeeded/Failed/Canceled as the activity log's last event says. */
  status: string;
  /** The long-running operation's current stage while it runs. */
  stage?: string;
  /** Request begin to the last event (the operation's end for a long-running one). */
  durationMs?: number;
  error?: string;
}

export interface Views {
  revision: number;
  clusters: ClusterView[];
  dns: { zones: DnsZoneView[]; publicRecords: PublicRecordView[] };
  resources: SubscriptionView[];
  activity: ActivityRow[];
}
