// The controller set every simulated cluster runs.
import { leaseController } from "../heartbeat.js";
import type { Controller } from "../types.js";
import { clusterRoleAggregationController } from "./clusterrole-aggregation.js";
import { crdCleanupController } from "./crd-cleanup.js";
import { daemonSetController } from "./daemonset.js";
import { deploymentController } from "./deployment.js";
import { endpointsController } from "./endpoints.js";
import { garbageCollector } from "./gc.js";
import { namespaceController } from "./namespace.js";
import { policyStatusController } from "./policy-status.js";
import { replicaSetController, replicationController } from "./replicaset.js";
import { scheduler } from "./scheduler.js";
import { tokenSecretController } from "./token-secrets.js";
import { serviceLoadBalancerController } from "./service-lb.js";
import { jobController } from "./job.js";
import { cronJobController } from "./cronjob.js";
import { statefulSetController } from "./statefulset.js";
import { volumeController } from "./volumes.js";
import { hpaController } from "./hpa.js";

export const controllers: Controller[] = [
  scheduler,
  replicaSetController,
  replicationController,
  deploymentController,
  daemonSetController,
  statefulSetController,
  jobController,
  cronJobController,
  hpaController,
  volumeController,
  endpointsController,
  serviceLoadBalancerController,
  namespaceController,
  garbageCollector,
  leaseController,
  clusterRoleAggregationController,
  crdCleanupController,
  policyStatusController,
  tokenSecretController,
];
