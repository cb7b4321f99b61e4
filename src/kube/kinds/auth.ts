// Create-only review kinds (never stored): authentication.k8s.io TokenReview/SelfSubjectReview,
// authorization.k8s.io access and rules reviews. src/kube/auth/reviews.ts answers them.
import type { Strategy } from "../types.js";

const review = (group: string, resource: string, kind: string, namespaced = false): Strategy => ({
  info: { group, version: "v1", resource, kind, singular: kind.toLowerCase(), namespaced, subresources: [], verbs: ["create"] },
  virtual: true,
});

export const authKinds: Strategy[] = [
  review("authentication.k8s.io", "selfsubjectreviews", "SelfSubjectReview"),
  review("authentication.k8s.io", "tokenreviews", "TokenReview"),
  review("authorization.k8s.io", "localsubjectaccessreviews", "LocalSubjectAccessReview", true),
  review("authorization.k8s.io", "selfsubjectaccessreviews", "SelfSubjectAccessReview"),
  review("authorization.k8s.io", "selfsubjectrulesreviews", "SelfSubjectRulesReview"),
  review("authorization.k8s.io", "subjectaccessreviews", "SubjectAccessReview"),
];
