package cluster

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
)

// Usage annotations read by kwok's ClusterResourceUsage; each value applies to every
// container of the pod.
const (
	UsageCPUAnnotation    = "kwok.x-k8s.io/usage-cpu"
	UsageMemoryAnnotation = "kwok.x-k8s.io/usage-memory"
)

// commandTimeout bounds one kubectl or plugin run.
const commandTimeout = 2 * time.Minute

// pollInterval is how often the Wait helpers check their condition.
const pollInterval = time.Second

// Namespace creates a fresh namespace for the test, waits until its default ServiceAccount
// exists (pods are refused before that), and deletes it when the test ends.
func (c *Cluster) Namespace(t testing.TB) string {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "e2e-"}}
	ns, err := c.client.CoreV1().Namespaces().Create(t.Context(), ns, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("creating namespace: %v", err)
	}

	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
		defer cancel()
		err := c.client.CoreV1().Namespaces().Delete(ctx, ns.Name, metav1.DeleteOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			t.Errorf("deleting namespace %s: %v", ns.Name, err)
		}
	})

	c.WaitFor(t, time.Minute, "default ServiceAccount in "+ns.Name,
		c.serviceAccountExists(ns.Name))
	return ns.Name
}

// serviceAccountExists reports whether the default ServiceAccount of ns exists.
func (c *Cluster) serviceAccountExists(ns string) func(context.Context) (bool, error) {
	return func(ctx context.Context) (bool, error) {
		_, err := c.client.CoreV1().ServiceAccounts(ns).Get(ctx, "default", metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return false, nil
		}
		return err == nil, err
	}
}

// Apply server-side applies a multi-document YAML manifest with kubectl, in namespace ns for
// namespaced objects that name none (ns may be empty for cluster-scoped objects).
func (c *Cluster) Apply(t testing.TB, ns, manifest string) {
	t.Helper()
	args := []string{"apply", "--server-side", "--force-conflicts", "--field-manager=e2e", "-f", "-"}
	if ns != "" {
		args = append(args, "--namespace", ns)
	}

	_, stderr, err := c.run(t.Context(), strings.NewReader(manifest), c.kubectlPath(), args...)
	if err != nil {
		t.Fatalf("kubectl apply: %v\n%s", err, stderr)
	}
}

// Kubectl runs the cluster's kubectl with KUBECONFIG pointing at the cluster and returns its
// output. PATH starts with the plugin's directory (once Plugin was called) and BinDir, so
// "kubectl directus ..." runs the plugin as a user's kubectl would.
func (c *Cluster) Kubectl(t testing.TB, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	return c.run(t.Context(), nil, c.kubectlPath(), args...)
}

// Directus runs the kubectl-directus plugin binary (built by Plugin) directly against the
// cluster and returns its output.
func (c *Cluster) Directus(t testing.TB, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	return c.run(t.Context(), nil, Plugin(t), args...)
}

func (c *Cluster) kubectlPath() string { return filepath.Join(c.BinDir, "kubectl") }

// run runs binary with the cluster's environment, feeding it stdin when not nil.
func (c *Cluster) run(ctx context.Context, stdin *strings.Reader, binary string,
	args ...string) (string, string, error) {
	ctx, cancel := context.WithTimeout(ctx, commandTimeout)
	defer cancel()

	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Env = c.commandEnv()
	if stdin != nil {
		cmd.Stdin = stdin
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr

	if err := cmd.Run(); err != nil {
		return stdout.String(), stderr.String(), fmt.Errorf("%s %s: %w",
			filepath.Base(binary), strings.Join(args, " "), err)
	}
	return stdout.String(), stderr.String(), nil
}

// commandEnv is the environment of kubectl and plugin runs: the test's own, with KUBECONFIG
// set to the cluster and PATH led by the plugin's and the tools' directories.
func (c *Cluster) commandEnv() []string {
	path := c.BinDir
	if dir := pluginDir(); dir != "" {
		path = dir + string(os.PathListSeparator) + path
	}
	env := withoutEnv(os.Environ(), "KUBECONFIG=", "PATH=")
	return append(env, "KUBECONFIG="+c.Kubeconfig,
		"PATH="+path+string(os.PathListSeparator)+os.Getenv("PATH"))
}

// SetPodUsage sets the CPU and memory usage kwok reports for every container of one pod, as
// quantities such as "180m" and "200Mi"; an empty value leaves that resource as it is.
// metrics-server shows the change within about 30 s.
func (c *Cluster) SetPodUsage(t testing.TB, ns, pod, cpu, memory string) {
	t.Helper()
	annotations := map[string]string{}
	if cpu != "" {
		annotations[UsageCPUAnnotation] = cpu
	}
	if memory != "" {
		annotations[UsageMemoryAnnotation] = memory
	}
	patch, err := json.Marshal(map[string]any{"metadata": map[string]any{"annotations": annotations}})
	if err != nil {
		t.Fatalf("encoding usage patch: %v", err)
	}

	_, err = c.client.CoreV1().Pods(ns).Patch(t.Context(), pod, types.MergePatchType, patch,
		metav1.PatchOptions{})
	if err != nil {
		t.Fatalf("setting usage of pod %s/%s: %v", ns, pod, err)
	}
}

// WaitFor polls cond every second until it returns true, failing the test after timeout. An
// error from cond does not stop the wait (the API may be briefly unavailable, for example
// while a test breaks it on purpose); the last one is reported if time runs out.
func (c *Cluster) WaitFor(t testing.TB, timeout time.Duration, desc string,
	cond func(context.Context) (bool, error)) {
	t.Helper()
	if err := poll(t.Context(), timeout, cond); err != nil {
		t.Fatalf("waiting for %s: %v", desc, err)
	}
}

// poll is WaitFor without a test: it returns an error naming the timeout and the last error.
func poll(ctx context.Context, timeout time.Duration, cond func(context.Context) (bool, error)) error {
	var last error
	err := wait.PollUntilContextTimeout(ctx, pollInterval, timeout, true,
		func(ctx context.Context) (bool, error) {
			done, err := cond(ctx)
			if err != nil {
				last = err
			}
			return done, nil
		})
	if err != nil && last != nil {
		return fmt.Errorf("gave up after %s: %w (last error: %v)", timeout, err, last)
	}
	if err != nil {
		return fmt.Errorf("gave up after %s: %w", timeout, err)
	}
	return nil
}

// WaitHPA polls the HorizontalPodAutoscaler ns/name until cond accepts it and returns that
// version. On timeout the test fails with the HPA's last status.
func (c *Cluster) WaitHPA(t testing.TB, ns, name string, timeout time.Duration,
	cond func(*autoscalingv2.HorizontalPodAutoscaler) bool) *autoscalingv2.HorizontalPodAutoscaler {
	t.Helper()
	var last *autoscalingv2.HorizontalPodAutoscaler
	err := poll(t.Context(), timeout, func(ctx context.Context) (bool, error) {
		hpa, err := c.client.AutoscalingV2().HorizontalPodAutoscalers(ns).Get(ctx, name,
			metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		last = hpa
		return cond(hpa), nil
	})
	if err != nil {
		t.Fatalf("waiting for HPA %s/%s: %v\nlast status: %s", ns, name, err, DescribeHPA(last))
	}
	return last
}

// DescribeHPA summarises an HPA's status on one line per condition, for failure messages.
func DescribeHPA(hpa *autoscalingv2.HorizontalPodAutoscaler) string {
	if hpa == nil {
		return "<never read>"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "replicas current=%d desired=%d", hpa.Status.CurrentReplicas,
		hpa.Status.DesiredReplicas)
	for _, m := range hpa.Status.CurrentMetrics {
		if m.Resource != nil && m.Resource.Current.AverageUtilization != nil {
			fmt.Fprintf(&b, " %s=%d%%", m.Resource.Name, *m.Resource.Current.AverageUtilization)
		}
	}
	for _, cond := range hpa.Status.Conditions {
		fmt.Fprintf(&b, "\n  %s=%s %s: %s", cond.Type, cond.Status, cond.Reason, cond.Message)
	}
	return b.String()
}
