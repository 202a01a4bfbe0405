package load

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// Tool is a load generator the in-cluster Job can run.
type Tool string

// The tools the Job can run.
const (
	// ToolWget runs concurrent busybox wget loops, as the Kubernetes HPA walkthrough does.
	ToolWget Tool = "wget"
	// ToolAB runs Apache Bench.
	ToolAB Tool = "ab"
	// ToolHey runs hey.
	ToolHey Tool = "hey"
)

// Default images of the tools. The hey image must have hey as its entrypoint.
const (
	DefaultWgetImage = "busybox:1.37"
	DefaultABImage   = "httpd:2.4-alpine"
	DefaultHeyImage  = "williamyeh/hey:latest"
)

// abMaxRequests bounds Apache Bench in duration mode: ab sizes its result array by the
// request count, so this keeps it near 50 MiB while allowing over 3,000 requests/s for
// five minutes.
const abMaxRequests = 1_000_000

// Labels put on every Job and pod of a run, so that leftovers can be found.
const (
	LabelManagedBy = "app.kubernetes.io/managed-by"
	ManagedBy      = "kubectl-directus"
	// LabelRun carries the run ID.
	LabelRun = "kubectl-directus/load"
	// labelName keeps the generator's pods out of the Directus Service's selector.
	labelName = "app.kubernetes.io/name"
	nameValue = "kubectl-directus-load"
)

// ttlAfterFinished lets the cluster delete a finished Job the plugin could not delete.
const ttlAfterFinished = 600

// Tools lists the tools in the order --help shows them.
func Tools() []Tool { return []Tool{ToolWget, ToolAB, ToolHey} }

// ParseTool accepts a tool name.
func ParseTool(name string) (Tool, error) {
	for _, t := range Tools() {
		if string(t) == name {
			return t, nil
		}
	}
	return "", fmt.Errorf("unknown tool %q: use one of wget, ab, hey", name)
}

// DefaultImage returns the image a tool runs in unless the user names another.
func (t Tool) DefaultImage() string {
	switch t {
	case ToolAB:
		return DefaultABImage
	case ToolHey:
		return DefaultHeyImage
	default:
		return DefaultWgetImage
	}
}

// NewRunID returns a random ID for one run, usable in names and label values.
func NewRunID() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b)
}

// JobConfig describes the in-cluster generator of one run.
type JobConfig struct {
	RunID     string
	Namespace string
	// Prefix starts the Job's name: <prefix>-load-<run ID>.
	Prefix string
	Tool   Tool
	// Image overrides the tool's default image.
	Image string
	// URL is the only address the generator sends requests to.
	URL         string
	Concurrency int
	// Duration or Requests bounds the load; exactly one is set.
	Duration time.Duration
	Requests int64
	// Deadline is the Job's activeDeadlineSeconds: the cluster stops the generator after it
	// even if the plugin is gone.
	Deadline time.Duration
}

// Validate reports the first problem with the configuration.
func (c JobConfig) Validate() error {
	if _, err := ParseTool(string(c.Tool)); err != nil {
		return err
	}
	if c.Concurrency < 1 {
		return fmt.Errorf("concurrency is %d: it must be at least 1", c.Concurrency)
	}
	if (c.Duration > 0) == (c.Requests > 0) {
		return errors.New("give exactly one of a duration and a request count")
	}
	if c.Requests > 0 && c.Requests < int64(c.Concurrency) {
		return fmt.Errorf("request count %d is below concurrency %d: every worker needs "+
			"at least one request", c.Requests, c.Concurrency)
	}
	if c.Tool == ToolHey && c.Requests%int64(c.Concurrency) != 0 {
		return fmt.Errorf("hey sends request count / concurrency requests per worker, "+
			"so %d requests over %d workers would send %d: give a multiple of %d",
			c.Requests, c.Concurrency, c.Requests/int64(c.Concurrency)*int64(c.Concurrency),
			c.Concurrency)
	}
	return ValidateURL(c.URL)
}

// JobName is the name of the run's Job.
func (c JobConfig) JobName() string { return c.Prefix + "-load-" + c.RunID }

// RunLabels are the labels of the run's Job and pods.
func RunLabels(runID string) map[string]string {
	return map[string]string{LabelManagedBy: ManagedBy, LabelRun: runID, labelName: nameValue}
}
