package cluster

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	aggregator "k8s.io/kube-aggregator/pkg/client/clientset_generated/clientset"
	metricsclient "k8s.io/metrics/pkg/client/clientset/versioned"
)

// SkipShort is the reason Shared gives when it skips a test under -short.
const SkipShort = "e2e: needs the local control plane; run without -short"

// Time limits of the harness itself; the tests choose their own for what they wait on.
const (
	toolsTimeout = 30 * time.Minute // a cold build of the tools is about ten minutes
	startTimeout = 5 * time.Minute  // a warm start is well under a minute
	stopTimeout  = time.Minute
)

// Cluster is a running local control plane. Its methods take the calling test and fail it on
// error, unless they return the error.
type Cluster struct {
	// Name is the kwokctl cluster name, unique per test binary.
	Name string
	// Kubeconfig is the path of an admin kubeconfig for the cluster.
	Kubeconfig string
	// BinDir holds kubectl, kwokctl and the other tool binaries.
	BinDir string
	// Workdir is kwokctl's directory for this cluster: logs/, pids/, kwok.yaml.
	Workdir string
	// StartTime is how long the cluster took from the first Shared call to ready,
	// including finding (or building) the tools.
	StartTime time.Duration
	// AuditLog is the API server's audit log (one JSON event a line), or "" when the
	// cluster was started without Options.AuditPolicy.
	AuditLog string

	root       string // kwokctl's KWOK_WORKDIR, shared by every harness on the machine
	ports      ports
	configPath string
	restConfig *rest.Config
	client     kubernetes.Interface
	metrics    metricsclient.Interface
	aggregator aggregator.Interface
	manifests  string
}

// RESTConfig returns a copy of the admin REST configuration.
func (c *Cluster) RESTConfig() *rest.Config { return rest.CopyConfig(c.restConfig) }

// Client returns a typed client for the cluster.
func (c *Cluster) Client() kubernetes.Interface { return c.client }

// Metrics returns a client for metrics.k8s.io.
func (c *Cluster) Metrics() metricsclient.Interface { return c.metrics }

// Aggregator returns a client for apiregistration.k8s.io (APIServices).
func (c *Cluster) Aggregator() aggregator.Interface { return c.aggregator }

// connect loads the kubeconfig and builds the clients.
func (c *Cluster) connect() error {
	config, err := clientcmd.BuildConfigFromFlags("", c.Kubeconfig)
	if err != nil {
		return fmt.Errorf("loading kubeconfig %s: %w", c.Kubeconfig, err)
	}
	config.QPS, config.Burst = 50, 100
	c.restConfig = config

	if c.client, err = kubernetes.NewForConfig(config); err != nil {
		return fmt.Errorf("creating kubernetes client: %w", err)
	}
	if c.metrics, err = metricsclient.NewForConfig(config); err != nil {
		return fmt.Errorf("creating metrics client: %w", err)
	}
	if c.aggregator, err = aggregator.NewForConfig(config); err != nil {
		return fmt.Errorf("creating aggregator client: %w", err)
	}
	return nil
}

// harness holds the cluster of one test binary. A test binary is one process and its
// cluster is a process-wide resource, so this is the one place the package keeps state.
type harness struct {
	mu      sync.Mutex // guards options, inMain, started, cluster and err
	options Options
	inMain  bool // Main runs the tests, so the cluster will be deleted
	started bool
	cluster *Cluster
	err     error

	pluginMu  sync.Mutex // guards the plugin build, apart so commands can run during start
	pluginDir string
	plugin    string
	pluginErr error
}

// state is the harness of this test binary; see harness.
var state harness

// Shared returns the cluster of this test binary, starting it on first use. Under -short it
// skips the test; when the cluster cannot be built or started it fails the test, and every
// later caller gets the same failure without another attempt.
func Shared(t testing.TB) *Cluster {
	t.Helper()
	if testing.Short() {
		t.Skip(SkipShort)
	}

	state.mu.Lock()
	defer state.mu.Unlock()
	if !state.inMain {
		t.Fatal("e2e: the package's TestMain must call cluster.Main, which deletes the cluster")
	}
	if !state.started {
		state.started = true
		state.cluster, state.err = start(t.Logf, state.options)
	}
	if state.err != nil {
		t.Fatalf("e2e: local control plane: %v", state.err)
	}
	return state.cluster
}

// Main runs the tests of an e2e package and then deletes the cluster they shared, if any.
// When a test failed, the last lines of each component's log go to stderr first. Call it
// from TestMain; the exit code of m.Run becomes the test binary's.
func Main(m *testing.M) {
	MainWith(m, Options{})
}

// Options change how the cluster of one test binary is started. The zero value is the
// cluster Main starts.
type Options struct {
	// AuditPolicy, when set, is an audit policy (a YAML audit.k8s.io/v1 Policy) for the API
	// server, which then writes every event it selects to Cluster.AuditLog.
	AuditPolicy string
	// ComponentArgs are added to the command line of the named component (for example
	// "kube-controller-manager" or "metrics-server") as --key=value, for example to change
	// the HPA controller's sync period.
	ComponentArgs map[string]map[string]string
	// PodParallelism is how many pods kwok moves through their stages at once (4 when
	// zero); raise it for clusters of thousands of pods.
	PodParallelism int
}

// MainWith is Main for a test binary whose cluster needs Options.
func MainWith(m *testing.M, opts Options) {
	state.mu.Lock()
	state.options = opts
	state.inMain = true
	state.mu.Unlock()

	code := m.Run()
	state.cleanup(code != 0)
}

// cleanup deletes the shared cluster and the plugin build, reporting on stderr, the only
// place left once the tests have finished.
func (h *harness) cleanup(failed bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.cluster != nil && failed {
		fmt.Fprintf(os.Stderr, "e2e: logs of cluster %s:%s\n", h.cluster.Name,
			h.cluster.logTails())
	}
	if h.cluster != nil {
		ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
		defer cancel()
		if err := h.cluster.delete(ctx); err != nil {
			fmt.Fprintf(os.Stderr, "e2e: deleting cluster %s: %v\n", h.cluster.Name, err)
		}
		h.cluster = nil
	}

	h.pluginMu.Lock()
	defer h.pluginMu.Unlock()
	if h.pluginDir != "" {
		_ = os.RemoveAll(h.pluginDir)
		h.pluginDir = ""
	}
}
