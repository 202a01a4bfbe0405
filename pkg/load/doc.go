// Package load generates HTTP load against Directus and watches how its
// HorizontalPodAutoscaler reacts: an in-process generator, the in-cluster Job that runs wget,
// ab or hey, an observer that samples the HPA into a time series, and the report arithmetic
// that judges the rescales against what the HPA's behavior allows.
package load
