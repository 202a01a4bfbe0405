// Package metrics reproduces the HorizontalPodAutoscaler controller of Kubernetes 1.37: how it
// sorts the pods it counts, the replica count it proposes for each metric, how it combines the
// proposals and how it stabilizes, rate-limits and clamps the result.
//
// Everything here is a pure function of data the caller gathered (HPA, scale, pods, metric
// samples, events), so top, doctor and explain share one implementation and tests need no
// cluster. Decide runs the whole chain and returns a Decision that records every step.
package metrics
