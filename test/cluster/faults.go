package cluster

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
	apiregv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"
)

// metricsServer is metrics-server's component name in kwokctl, and its pid file's name.
const metricsServer = "metrics-server"

// noEndpointsService is the Service BreakMetricsAPIService points the metrics API at.
const noEndpointsService = "e2e-metrics-no-endpoints"

// stopGrace is how long a stopped component gets to exit before it is killed.
const stopGrace = 20 * time.Second

// StopMetricsServer stops the metrics-server process. The metrics APIService then turns
// Available=False (FailedDiscoveryCheck) within about a minute and the HPA controller stops
// getting metrics. metrics-server is started again when the test ends, if it is still down.
// Tests that call it must not run in parallel with others.
func (c *Cluster) StopMetricsServer(t testing.TB) {
	t.Helper()
	if err := c.stopComponent(testContext(t), metricsServer); err != nil {
		t.Fatalf("stopping metrics-server: %v", err)
	}

	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), readyTimeout)
		defer cancel()
		if err := c.startMetricsServer(ctx, t.Logf); err != nil {
			t.Errorf("restarting metrics-server: %v", err)
		}
	})
}

// StartMetricsServer starts metrics-server again after StopMetricsServer and waits until it
// serves. The APIService turns Available again at its next check, and metrics reappear after
// two scrapes (about 30 s); wait for what the test needs, for example with
// APIServiceAvailable(MetricsAPIService).
func (c *Cluster) StartMetricsServer(t testing.TB) {
	t.Helper()
	if err := c.startMetricsServer(testContext(t), t.Logf); err != nil {
		t.Fatalf("starting metrics-server: %v", err)
	}
}

// PauseMetricsServer freezes the metrics-server process (SIGSTOP): it keeps its port and
// accepts connections but answers nothing, like a backend too slow to answer in time. It is
// resumed (SIGCONT) when the test ends. Tests that call it must not run in parallel with
// others.
func (c *Cluster) PauseMetricsServer(t testing.TB) {
	t.Helper()
	c.pause(t, metricsServer)
}

// PauseControllerManager freezes kube-controller-manager (SIGSTOP) until the test ends:
// no controller writes anything meanwhile, so HPA statuses and ReplicaSets hold still, for
// example while two reads of the cluster are compared. Tests that call it must not run in
// parallel with others.
func (c *Cluster) PauseControllerManager(t testing.TB) {
	t.Helper()
	c.pause(t, "kube-controller-manager")
}

// pause stops the named component with SIGSTOP and resumes it when the test ends.
func (c *Cluster) pause(t testing.TB, name string) {
	t.Helper()
	pid, err := c.componentPID(name)
	if err != nil {
		t.Fatalf("pausing %s: %v", name, err)
	}
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatalf("pausing %s (pid %d): %v", name, pid, err)
	}
	t.Cleanup(func() {
		if err := syscall.Kill(pid, syscall.SIGCONT); err != nil {
			t.Errorf("resuming %s (pid %d): %v", name, pid, err)
		}
	})
}

// startMetricsServer starts the cluster's exited components (metrics-server, unless another
// one died too) and waits until metrics-server serves, starting it again if it exits.
func (c *Cluster) startMetricsServer(ctx context.Context, logf func(string, ...any)) error {
	err := poll(ctx, readyTimeout, func(ctx context.Context) (bool, error) {
		if err := c.restartExited(ctx, logf); err != nil {
			return false, err
		}
		return c.metricsServerLive(ctx)
	})
	if err != nil {
		return fmt.Errorf("waiting for metrics-server to serve: %w", err)
	}
	return nil
}

// stopComponent ends the named component's process, started by kwokctl for this cluster,
// with SIGTERM (SIGKILL after stopGrace), and removes its pid file.
func (c *Cluster) stopComponent(ctx context.Context, name string) error {
	pid, err := c.componentPID(name)
	if err != nil {
		return err
	}
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		return fmt.Errorf("stopping %s (pid %d): %w", name, pid, err)
	}

	gone := func(context.Context) (bool, error) { return processGone(pid), nil }
	if poll(ctx, stopGrace, gone) != nil {
		_ = syscall.Kill(pid, syscall.SIGKILL)
		if err := poll(ctx, stopGrace, gone); err != nil {
			return fmt.Errorf("%s (pid %d) did not exit: %w", name, pid, err)
		}
	}
	return os.Remove(filepath.Join(c.Workdir, "pids", name+".pid"))
}

// componentPID reads the pid kwokctl recorded for a component and checks that the process
// runs this cluster's binary, so a recycled pid never leads to another process.
func (c *Cluster) componentPID(name string) (int, error) {
	data, err := os.ReadFile(filepath.Join(c.Workdir, "pids", name+".pid"))
	if err != nil {
		return 0, fmt.Errorf("%s is not running: %w", name, err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil {
		return 0, fmt.Errorf("pid file of %s: %w", name, err)
	}

	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil || !startedFrom(cmdline, c.Workdir) {
		return 0, fmt.Errorf("process %d is not this cluster's %s", pid, name)
	}
	return pid, nil
}

// startedFrom reports whether a /proc cmdline runs a binary inside dir, as kwokctl's
// components do (dir/bin/<name>).
func startedFrom(cmdline []byte, dir string) bool {
	argv0, _, _ := strings.Cut(string(cmdline), "\x00")
	return strings.HasPrefix(argv0, filepath.Clean(dir)+string(filepath.Separator))
}

// processGone reports whether pid has exited (a zombie counts as exited: it is not the
// test's child, so the test cannot reap it).
func processGone(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if errors.Is(err, os.ErrNotExist) {
		return true
	}
	_, rest, ok := strings.Cut(string(stat), ") ")
	return ok && strings.HasPrefix(rest, "Z")
}

// BreakMetricsAPIService points the metrics APIService at a Service with no endpoints, so
// the aggregator reports Available=False with reason MissingEndpoints and metrics.k8s.io
// requests fail, while metrics-server itself keeps running. The Service is headless, so
// nothing ever tries to connect to it. The APIService is restored when the test ends.
// Tests that call it must not run in parallel with others.
func (c *Cluster) BreakMetricsAPIService(t testing.TB) {
	t.Helper()
	ctx := testContext(t)
	apiServices := c.aggregator.ApiregistrationV1().APIServices()
	original, err := apiServices.Get(ctx, MetricsAPIService, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("reading APIService %s: %v", MetricsAPIService, err)
	}
	if err := c.createNoEndpointsService(ctx); err != nil {
		t.Fatalf("breaking APIService %s: %v", MetricsAPIService, err)
	}

	t.Cleanup(func() { c.restoreAPIService(t, original.Spec.Service) })
	port := int32(443)
	err = c.setAPIServiceTarget(ctx, &apiregv1.ServiceReference{
		Namespace: metav1.NamespaceSystem, Name: noEndpointsService, Port: &port,
	})
	if err != nil {
		t.Fatalf("breaking APIService %s: %v", MetricsAPIService, err)
	}
}

// createNoEndpointsService creates the headless Service in kube-system that selects nothing.
func (c *Cluster) createNoEndpointsService(ctx context.Context) error {
	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: noEndpointsService, Namespace: metav1.NamespaceSystem},
		Spec: corev1.ServiceSpec{
			ClusterIP: corev1.ClusterIPNone,
			Selector:  map[string]string{"e2e.kubectl-directus/selects": "nothing"},
			Ports:     []corev1.ServicePort{{Name: "https", Port: 443}},
		},
	}
	_, err := c.client.CoreV1().Services(svc.Namespace).Create(ctx, svc, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("creating Service %s/%s: %w", svc.Namespace, svc.Name, err)
	}
	return nil
}

// setAPIServiceTarget points the metrics APIService at ref, retrying on write conflicts.
func (c *Cluster) setAPIServiceTarget(ctx context.Context, ref *apiregv1.ServiceReference) error {
	apiServices := c.aggregator.ApiregistrationV1().APIServices()
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
		current, err := apiServices.Get(ctx, MetricsAPIService, metav1.GetOptions{})
		if err != nil {
			return err
		}
		current.Spec.Service = ref
		_, err = apiServices.Update(ctx, current, metav1.UpdateOptions{})
		return err
	})
}

// restoreAPIService points the metrics APIService back at ref, deletes the Service without
// endpoints, and waits until the APIService is Available again (when metrics-server runs).
func (c *Cluster) restoreAPIService(t testing.TB, ref *apiregv1.ServiceReference) {
	ctx, cancel := context.WithTimeout(context.Background(), readyTimeout)
	defer cancel()
	if err := c.setAPIServiceTarget(ctx, ref); err != nil {
		t.Errorf("restoring APIService %s: %v", MetricsAPIService, err)
		return
	}

	err := c.client.CoreV1().Services(metav1.NamespaceSystem).Delete(ctx, noEndpointsService,
		metav1.DeleteOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		t.Errorf("deleting Service %s: %v", noEndpointsService, err)
	}
	if pid, err := c.componentPID(metricsServer); err != nil || processGone(pid) {
		return // stopped by the test too; StopMetricsServer's cleanup brings it back
	}
	if err := poll(ctx, readyTimeout, c.APIServiceAvailable(MetricsAPIService)); err != nil {
		t.Errorf("APIService %s after restoring it: %v", MetricsAPIService, err)
	}
}
