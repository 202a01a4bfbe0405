// Package deploy renders the embedded Directus manifests from a set of options and applies
// them in dependency order with server-side apply, or removes what it applied.
package deploy

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation"
)

// Defaults of the product: the HorizontalPodAutoscaler spec, images and sizes.
const (
	DefaultName            = "directus"
	DefaultImage           = "directus/directus:12.2.0"
	DefaultPostgresImage   = "postgres:17.9"
	DefaultValkeyImage     = "valkey/valkey:8.1-alpine"
	DefaultMetricsImage    = "registry.k8s.io/metrics-server/metrics-server:v0.8.0"
	DefaultMinReplicas     = 2
	DefaultMaxReplicas     = 10
	DefaultCPUTarget       = 70
	DefaultMemoryTarget    = 80
	DefaultScaleUpWindow   = 300
	DefaultScaleDownWindow = 600
	DefaultStorageSize     = "10Gi"
	DefaultAdminEmail      = "admin@example.com"

	// MaxNameLength keeps the longest derived name, <name>-directus-bootstrap-<8 hex>,
	// within the 63 characters of a DNS label.
	MaxNameLength = 63 - len("-directus-bootstrap-") - bootstrapHashLength

	// maxWindowSeconds is the API server's upper bound for a stabilization window.
	maxWindowSeconds = 3600
)

// Options describe one Directus release. The zero value is not useful: start from
// DefaultOptions.
type Options struct {
	// Name of the release; every object is named after it.
	Name string
	// Namespace the release lives in.
	Namespace string
	// Image is the Directus image reference, with a tag or digest.
	Image string
	// PostgresImage and ValkeyImage are the database and cache images.
	PostgresImage string
	ValkeyImage   string

	// MinReplicas and MaxReplicas bound the HorizontalPodAutoscaler.
	MinReplicas int32
	MaxReplicas int32
	// CPUTarget and MemoryTarget are average utilizations in percent of the requests.
	CPUTarget    int32
	MemoryTarget int32
	// ScaleUpWindow and ScaleDownWindow are stabilization windows in seconds.
	ScaleUpWindow   int32
	ScaleDownWindow int32
	// CustomMetric adds the Pods metric directus_active_connections (average 100).
	CustomMetric bool

	// WithMetricsServer also renders metrics-server.
	WithMetricsServer bool
	// MetricsServerImage is the metrics-server image used with WithMetricsServer.
	MetricsServerImage string

	// PublicURL is Directus' absolute URL; empty means the Service's in-cluster address.
	PublicURL string
	// AdminEmail is the first administrator's login, used only on first install.
	AdminEmail string
	// StorageClass of the database volume claim; empty means the cluster's default.
	StorageClass string
	// StorageSize of the database volume claim.
	StorageSize string
}

// DefaultOptions returns the product defaults for a release in namespace.
func DefaultOptions(namespace string) Options {
	return Options{
		Name:               DefaultName,
		Namespace:          namespace,
		Image:              DefaultImage,
		PostgresImage:      DefaultPostgresImage,
		ValkeyImage:        DefaultValkeyImage,
		MinReplicas:        DefaultMinReplicas,
		MaxReplicas:        DefaultMaxReplicas,
		CPUTarget:          DefaultCPUTarget,
		MemoryTarget:       DefaultMemoryTarget,
		ScaleUpWindow:      DefaultScaleUpWindow,
		ScaleDownWindow:    DefaultScaleDownWindow,
		MetricsServerImage: DefaultMetricsImage,
		AdminEmail:         DefaultAdminEmail,
		StorageSize:        DefaultStorageSize,
	}
}

// Validate reports every option that cannot be deployed, each with what is allowed.
func (o Options) Validate() error {
	var errs []error
	errs = append(errs, validateName(o.Name)...)
	errs = append(errs, o.validateScaling()...)
	errs = append(errs, validateImage("--image", o.Image))
	errs = append(errs, o.validateStorage())

	if len(validation.IsDNS1123Label(o.Namespace)) > 0 {
		errs = append(errs, fmt.Errorf("namespace %q is not a valid namespace name", o.Namespace))
	}
	if o.PublicURL != "" && (!strings.Contains(o.PublicURL, "://") || !printable(o.PublicURL)) {
		errs = append(errs, fmt.Errorf(
			"--public-url %q must be an absolute URL such as https://cms.example.com", o.PublicURL))
	}
	if !strings.Contains(o.AdminEmail, "@") || !printable(o.AdminEmail) {
		errs = append(errs, fmt.Errorf(
			"--admin-email %q must be an e-mail address such as %s", o.AdminEmail,
			DefaultAdminEmail))
	}
	return errors.Join(errs...)
}

// printable says s is valid UTF-8 with no control characters or spaces, as an address is.
func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	return !strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) || unicode.IsSpace(r) })
}

func validateName(name string) []error {
	var errs []error
	for _, msg := range validation.IsDNS1035Label(name) {
		errs = append(errs, fmt.Errorf("NAME %q is not a DNS label: %s", name, msg))
	}
	if len(name) > MaxNameLength {
		errs = append(errs, fmt.Errorf(
			"NAME %q is %d characters long; use at most %d so that derived names such as "+
				"%s-directus-bootstrap-<hash> stay valid", name, len(name), MaxNameLength, name))
	}
	return errs
}

func (o Options) validateScaling() []error {
	var errs []error
	if o.MinReplicas < 1 {
		errs = append(errs, fmt.Errorf("--min %d must be at least 1", o.MinReplicas))
	}
	if o.MaxReplicas < o.MinReplicas {
		errs = append(errs, fmt.Errorf("--min %d is greater than --max %d: "+
			"set --max to at least --min", o.MinReplicas, o.MaxReplicas))
	}
	errs = append(errs, inRange("--cpu-target", o.CPUTarget, 1, 100, "percent"))
	errs = append(errs, inRange("--memory-target", o.MemoryTarget, 1, 100, "percent"))
	errs = append(errs, inRange("--scale-up-window", o.ScaleUpWindow, 0, maxWindowSeconds,
		"seconds"))
	errs = append(errs, inRange("--scale-down-window", o.ScaleDownWindow, 0, maxWindowSeconds,
		"seconds"))
	return errs
}

func inRange(flag string, value, low, high int32, unit string) error {
	if value >= low && value <= high {
		return nil
	}
	return fmt.Errorf("%s %d is out of range: use %d to %d (%s)", flag, value, low, high, unit)
}

// validateImage refuses references without a tag or digest and the tag latest: the bootstrap
// Job runs once per image reference, so a moving tag would skip migrations.
func validateImage(flag, image string) error {
	ref, err := parseImage(image)
	if err != nil {
		return fmt.Errorf("%s %q: %w", flag, image, err)
	}
	if ref.Tag == "" && ref.Digest == "" {
		return fmt.Errorf("%s %q has no tag: pin a version, e.g. %s", flag, image, DefaultImage)
	}
	if ref.Tag == "latest" && ref.Digest == "" {
		return fmt.Errorf("%s %q uses the moving tag latest: pin a version, e.g. %s",
			flag, image, DefaultImage)
	}
	return nil
}

func (o Options) validateStorage() error {
	if _, err := resource.ParseQuantity(o.StorageSize); err != nil {
		return fmt.Errorf("--storage-size %q is not a quantity: use a size such as 10Gi",
			o.StorageSize)
	}
	if o.StorageClass != "" && len(validation.IsDNS1123Subdomain(o.StorageClass)) > 0 {
		return fmt.Errorf("--storage-class %q is not a valid storage class name", o.StorageClass)
	}
	return nil
}
