package snapshot

// Resource names as Gather records them in a Gap, and as checks name what they need.
const (
	ResHPAs            = "horizontalpodautoscalers.autoscaling"
	ResDeployments     = "deployments.apps"
	ResReplicaSets     = "replicasets.apps"
	ResStatefulSets    = "statefulsets.apps"
	ResJobs            = "jobs.batch"
	ResPods            = "pods"
	ResServices        = "services"
	ResEndpoints       = "endpointslices.discovery.k8s.io"
	ResPDBs            = "poddisruptionbudgets.policy"
	ResConfigMaps      = "configmaps"
	ResEvents          = "events"
	ResNodes           = "nodes"
	ResPodMetrics      = "pods.metrics.k8s.io"
	ResNodeMetrics     = "nodes.metrics.k8s.io"
	ResAPIServices     = "apiservices.apiregistration.k8s.io"
	ResDiscovery       = "discovery /apis"
	ResNetworkPolicies = "networkpolicies.networking.k8s.io"
	ResCustomMetrics   = "custom.metrics.k8s.io"
	// ResMetricsServers is the cluster-wide search for metrics-server Deployments: apart from
	// ResDeployments, so that a user who may read Deployments only in their namespace still
	// has the checks that need that namespace's Deployments run.
	ResMetricsServers = "deployments.apps (named metrics-server)"
)
