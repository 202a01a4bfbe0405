package explain

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-directus/kubectl-directus/test/cluster"
)

// waitDeploymentPods waits for n Running and Ready pods of Deployment app and returns their
// names, sorted.
func waitDeploymentPods(t *testing.T, c *cluster.Cluster, ns string, n int) []string {
	var names []string
	c.WaitFor(t, 3*time.Minute, fmt.Sprintf("%d Ready pods of app", n),
		func(ctx context.Context) (bool, error) {
			list, err := c.Client().CoreV1().Pods(ns).List(ctx, metav1.ListOptions{
				LabelSelector: "app=app"})
			if err != nil {
				return false, err
			}
			names = names[:0]
			for _, pod := range list.Items {
				if strings.HasPrefix(pod.Name, "app-") && running(&pod) {
					names = append(names, pod.Name)
				}
			}
			return len(names) == n, nil
		})
	sort.Strings(names)
	return names
}

func running(pod *corev1.Pod) bool {
	if pod.Status.Phase != corev1.PodRunning || pod.DeletionTimestamp != nil {
		return false
	}
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// waitMetrics waits until metrics.k8s.io reports the usage set on every Deployment pod (cpu
// within 3m, since it is a rate), the dark pods run without metrics and the pending pods stay
// Pending.
func waitMetrics(t *testing.T, c *cluster.Cluster, ns string, s scenario, pods []string) {
	want := map[string][2]int64{}
	for i, pod := range pods {
		want[pod] = [2]int64{s.CPU[i], s.Memory[i] << 20}
	}
	c.WaitFor(t, 4*time.Minute, "pod metrics with the usage set",
		func(ctx context.Context) (bool, error) {
			list, err := c.Metrics().MetricsV1beta1().PodMetricses(ns).List(ctx,
				metav1.ListOptions{})
			if err != nil {
				return false, err
			}
			seen := 0
			for _, m := range list.Items {
				if strings.HasPrefix(m.Name, "dark-") {
					return false, fmt.Errorf("pod %s on the dark node has metrics", m.Name)
				}
				w, ok := want[m.Name]
				if !ok || len(m.Containers) != 1 {
					continue
				}
				u := m.Containers[0].Usage
				if abs(u.Cpu().MilliValue()-w[0]) <= 3 && u.Memory().Value() == w[1] {
					seen++
				}
			}
			return seen == len(pods) && extrasSettled(ctx, c, ns, s), nil
		})
}

// extrasSettled reports whether the dark pods run and the pending pods are still Pending.
func extrasSettled(ctx context.Context, c *cluster.Cluster, ns string, s scenario) bool {
	list, err := c.Client().CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return false
	}
	dark, pending := 0, 0
	for _, pod := range list.Items {
		switch {
		case strings.HasPrefix(pod.Name, "dark-") && running(&pod):
			dark++
		case strings.HasPrefix(pod.Name, "pending-") && pod.Status.Phase == corev1.PodPending:
			pending++
		}
	}
	return dark == s.Dark && pending == s.Pending
}

func abs(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}
