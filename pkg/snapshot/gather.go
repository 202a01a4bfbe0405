package snapshot

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/klog/v2"

	"github.com/kubectl-directus/kubectl-directus/pkg/kube"
)

// Parts selects which optional groups of objects Gather reads. HPAs, their targets and pods
// are always read.
type Parts uint

const (
	// PartMetrics reads pod and node metrics from metrics.k8s.io.
	PartMetrics Parts = 1 << iota
	// PartEvents reads core/v1 Events.
	PartEvents
	// PartPipeline reads the aggregated metrics APIServices, their Services and endpoints,
	// and the served API groups.
	PartPipeline
	// PartNodes reads Nodes.
	PartNodes
	// PartConfig reads Services, EndpointSlices, PodDisruptionBudgets, ConfigMaps and Jobs of
	// the namespace, for configuration checks.
	PartConfig

	// PartAll reads everything.
	PartAll = PartMetrics | PartEvents | PartPipeline | PartNodes | PartConfig
)

// ErrNamespaceNotFound is returned when the requested namespace does not exist.
var ErrNamespaceNotFound = errors.New("namespace not found")

// Gather reads the objects of scope in parallel, one list call per kind (cluster-wide with
// AllNamespaces), never one call per HPA. Failed reads become Gaps; only a missing namespace
// or an unreachable API server is an error.
func Gather(ctx context.Context, clients *kube.Clients, scope Scope, parts Parts) (*Snapshot, error) {
	if err := checkNamespace(ctx, clients, scope); err != nil {
		return nil, err
	}

	// A fatal read (the API server itself unreachable) cancels every other read at once:
	// retries of a streamed list must not keep the user waiting after the answer is known.
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	g := &gatherer{clients: clients, ns: listNamespace(scope), snap: &Snapshot{Scope: scope},
		cancel: cancel}
	g.snap.Taken = time.Now()
	g.run(ctx, g.listFuncs(parts))
	if err := g.unreachable(); err != nil {
		return nil, err
	}

	g.filterHPAs(scope.HPAName)
	g.run(ctx, []listFunc{g.scales})
	if parts&PartPipeline != 0 {
		g.run(ctx, []listFunc{g.backingServices})
	}

	g.snap.buildIndex()
	if parts&PartPipeline != 0 {
		g.customMetrics(ctx)
	}
	klog.V(2).Infof("gathered snapshot of %s in %s with %d requests", describeScope(scope),
		time.Since(g.snap.Taken).Round(time.Millisecond), clients.Requests.Total())
	return g.snap, nil
}

func listNamespace(scope Scope) string {
	if scope.AllNamespaces {
		return metav1.NamespaceAll
	}
	return scope.Namespace
}

func describeScope(scope Scope) string {
	if scope.AllNamespaces {
		return "all namespaces"
	}
	return "namespace " + scope.Namespace
}

// checkNamespace turns a missing namespace into one clear error; a namespace the user may not
// read is let through, the lists will say what they could not read.
func checkNamespace(ctx context.Context, clients *kube.Clients, scope Scope) error {
	if scope.AllNamespaces {
		return nil
	}
	_, err := clients.Kube.CoreV1().Namespaces().Get(ctx, scope.Namespace, metav1.GetOptions{})
	switch {
	case err == nil, apierrors.IsForbidden(err):
		return nil
	case apierrors.IsNotFound(err):
		return fmt.Errorf("%w: %q (list namespaces with `kubectl get namespaces`, or pass -n)",
			ErrNamespaceNotFound, scope.Namespace)
	case isConnectionError(err):
		return serverError(clients.Config.Host, err)
	default:
		return fmt.Errorf("reading namespace %q: %w", scope.Namespace, err)
	}
}

type listFunc func(ctx context.Context) error

type gatherer struct {
	clients *kube.Clients
	ns      string
	snap    *Snapshot

	cancel context.CancelCauseFunc // ends every read in flight once one is fatal

	mu       sync.Mutex
	fatalErr error
}

// run calls every list function concurrently and waits for all of them.
func (g *gatherer) run(ctx context.Context, funcs []listFunc) {
	var wg sync.WaitGroup
	for _, f := range funcs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = f(ctx)
		}()
	}
	wg.Wait()
}

// record turns a list error into a Gap; it returns true when the list succeeded.
func (g *gatherer) record(verb, resource, namespace string, err error) bool {
	if err == nil {
		return true
	}
	g.mu.Lock()
	defer g.mu.Unlock()

	gap := Gap{Verb: verb, Resource: resource, Namespace: namespace, Err: err,
		Forbidden: apierrors.IsForbidden(err)}
	g.snap.Gaps = append(g.snap.Gaps, gap)
	// The HPA list is always read and always served by the API server itself: when it
	// cannot be reached, nothing can be judged. Other lists may fail alone, for example one
	// served by a slow or absent metrics backend, and become gaps like any other.
	if resource == ResHPAs && isConnectionError(err) && g.fatalErr == nil {
		g.fatalErr = err
		g.cancel(err)
	}
	klog.V(2).Infof("gap: %s", gap)
	return false
}

// unreachable returns an error when the API server itself could not be reached, which no
// check can work around.
func (g *gatherer) unreachable() error {
	if g.fatalErr == nil {
		return nil
	}
	return serverError(g.clients.Config.Host, g.fatalErr)
}

// serverError says that the API server at host could not be used, and what to check.
func serverError(host string, err error) error {
	if isTimeout(err) {
		return fmt.Errorf("the API server at %s did not answer in time: %w (check that the "+
			"cluster is running, or allow more with --request-timeout)", host, err)
	}
	return fmt.Errorf("cannot reach the API server at %s: %w (check --kubeconfig, --context "+
		"and that the cluster is running)", host, err)
}

// isTimeout reports whether err is a request that ran out of time, on either side.
func isTimeout(err error) bool {
	var netErr net.Error
	return apierrors.IsTimeout(err) || apierrors.IsServerTimeout(err) ||
		errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout())
}

func isConnectionError(err error) bool {
	if apierrors.IsTimeout(err) || apierrors.IsServerTimeout(err) {
		return true
	}
	var status apierrors.APIStatus
	if errors.As(err, &status) {
		return false
	}
	return !errors.Is(err, context.Canceled)
}

func (g *gatherer) filterHPAs(name string) {
	if name == "" {
		return
	}
	name = ResolveHPAName(g.snap.HPAs, name)
	kept := g.snap.HPAs[:0]
	for _, hpa := range g.snap.HPAs {
		if hpa.Name == name {
			kept = append(kept, hpa)
		}
	}
	g.snap.HPAs = kept
}

// releaseSuffix ends the name of the HPA that `kubectl directus deploy NAME` creates.
const releaseSuffix = "-directus"

// ResolveHPAName returns name when an HPA of hpas has it, and otherwise the name of the HPA
// of release name (name + "-directus") when there is one: a user may name the release they
// deployed rather than its HPA.
func ResolveHPAName(hpas []autoscalingv2.HorizontalPodAutoscaler, name string) string {
	release := ""
	for i := range hpas {
		switch hpas[i].Name {
		case name:
			return name
		case name + releaseSuffix:
			release = hpas[i].Name
		}
	}
	if release == "" {
		return name
	}
	klog.V(2).Infof("no HPA %q: taking %q, the HPA of release %q", name, release, name)
	return release
}
