package deploy

import "fmt"

// FieldManager is the server-side apply field manager of every object deploy applies.
const FieldManager = "kubectl-directus"

// Recommended labels the manifests set. The selector uses name, instance and component only;
// version never enters a selector, which is immutable.
const (
	LabelName      = "app.kubernetes.io/name"
	LabelInstance  = "app.kubernetes.io/instance"
	LabelComponent = "app.kubernetes.io/component"
	LabelPartOf    = "app.kubernetes.io/part-of"
	LabelManagedBy = "app.kubernetes.io/managed-by"
	LabelVersion   = "app.kubernetes.io/version"

	// ManagedByValue marks objects this plugin created; others are never touched.
	ManagedByValue = "kubectl-directus"
)

// Components, the value of LabelComponent.
const (
	ComponentAPI           = "api"
	ComponentDatabase      = "database"
	ComponentCache         = "cache"
	ComponentBootstrap     = "bootstrap"
	ComponentSecret        = "secret"
	ComponentMetricsServer = "metrics-server"
)

// Annotations deploy writes.
const (
	// BootstrapJobAnnotation on the Deployment names the Job that migrated the database for
	// the Deployment's image.
	BootstrapJobAnnotation = "kubectl-directus.io/bootstrap-job"
	// ImageAnnotation on a bootstrap Job records the image it ran.
	ImageAnnotation = "kubectl-directus.io/image"
)

// Graceful shutdown: the pause before SIGTERM, Directus' drain time, and the margin the
// grace period keeps on top of both.
const (
	preStopSeconds        = 10
	shutdownTimeoutMillis = 20000
	graceMarginSeconds    = 10
)

// PostgreSQL connection budget: the server's default connection limit and the slots kept
// free for the superuser, the bootstrap Job, psql and backups.
const (
	postgresDefaultConnections = 100
	connectionHeadroom         = 10
	maxSurge                   = 1
	minPoolSize                = 2
	maxPoolSize                = 10
)

// Names are the object names of one release.
type Names struct {
	Secret    string
	Postgres  string
	Valkey    string
	Directus  string
	Bootstrap string
}

// NamesFor returns the object names of release name running image.
func NamesFor(name, image string) Names {
	return Names{
		Secret:    name + "-directus",
		Postgres:  name + "-postgres",
		Valkey:    name + "-valkey",
		Directus:  name + "-directus",
		Bootstrap: name + "-directus-bootstrap-" + imageHash(image),
	}
}

// values is what the release templates see.
type values struct {
	Options
	Names Names
	// Version is the image tag, the version label's value.
	Version    string
	SecretData map[string]string

	PodAnnotations        map[string]string
	JobAnnotations        map[string]string
	DeploymentAnnotations map[string]string

	DBPoolMax              int
	PostgresMaxConnections int
	PreStopSeconds         int
	ShutdownTimeoutMillis  int
	GracePeriodSeconds     int
}

func newValues(o Options, secret SecretValues) values {
	ref, _ := parseImage(o.Image) // validated by Render before
	names := NamesFor(o.Name, o.Image)
	pool, connections := connectionBudget(o.MaxReplicas)
	if o.PublicURL == "" {
		o.PublicURL = fmt.Sprintf("http://%s.%s.svc", names.Directus, o.Namespace)
	}
	return values{
		Options:                o,
		Names:                  names,
		Version:                ref.Version(),
		SecretData:             secret.encoded(),
		PodAnnotations:         map[string]string{SecretHashAnnotation: secret.Hash()},
		JobAnnotations:         map[string]string{ImageAnnotation: o.Image},
		DeploymentAnnotations:  map[string]string{BootstrapJobAnnotation: names.Bootstrap},
		DBPoolMax:              pool,
		PostgresMaxConnections: connections,
		PreStopSeconds:         preStopSeconds,
		ShutdownTimeoutMillis:  shutdownTimeoutMillis,
		GracePeriodSeconds:     preStopSeconds + shutdownTimeoutMillis/1000 + graceMarginSeconds,
	}
}

// connectionBudget sizes each pod's database pool so that the most pods that can run at once
// (maxReplicas plus the rollout's surge) stay within PostgreSQL's connection limit minus the
// headroom. When even the smallest pool does not fit, the limit is raised instead.
func connectionBudget(maxReplicas int32) (pool, maxConnections int) {
	pods := int(maxReplicas) + maxSurge
	pool = (postgresDefaultConnections - connectionHeadroom) / pods
	pool = min(max(pool, minPoolSize), maxPoolSize)
	maxConnections = max(postgresDefaultConnections, pods*pool+connectionHeadroom)
	return pool, maxConnections
}

// Labels returns the labels of a component's objects.
func (v values) Labels(component string) map[string]string {
	labels := v.Selector(component)
	labels[LabelPartOf] = "directus"
	labels[LabelManagedBy] = ManagedByValue
	return labels
}

// VersionedLabels adds the Directus version to Labels, for objects that run the image.
func (v values) VersionedLabels(component string) map[string]string {
	labels := v.Labels(component)
	labels[LabelVersion] = v.Version
	return labels
}

// Selector returns the labels that select a component's pods.
func (v values) Selector(component string) map[string]string {
	return map[string]string{
		LabelName:      "directus",
		LabelInstance:  v.Name,
		LabelComponent: component,
	}
}

// metricsServerValues is what the metrics-server templates see.
type metricsServerValues struct {
	Image        string
	Labels       map[string]string
	ReaderLabels map[string]string
}

func newMetricsServerValues(o Options) metricsServerValues {
	labels := map[string]string{
		"k8s-app":      "metrics-server",
		LabelComponent: ComponentMetricsServer,
		LabelManagedBy: ManagedByValue,
	}
	reader := map[string]string{
		"rbac.authorization.k8s.io/aggregate-to-view":  "true",
		"rbac.authorization.k8s.io/aggregate-to-edit":  "true",
		"rbac.authorization.k8s.io/aggregate-to-admin": "true",
	}
	for key, value := range labels {
		reader[key] = value
	}
	return metricsServerValues{Image: o.MetricsServerImage, Labels: labels, ReaderLabels: reader}
}
