package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-directus/kubectl-directus/pkg/view"
	"github.com/kubectl-directus/kubectl-directus/test/cluster"
)

// shopDeployment runs three pods requesting 100m and 256Mi; the HPA below holds it at three
// replicas (min = max) so the pods stay put while the controller keeps computing metrics.
const shopDeployment = `apiVersion: apps/v1
kind: Deployment
metadata: {name: shop}
spec:
  replicas: 3
  selector: {matchLabels: {app: shop}}
  template:
    metadata:
      labels: {app: shop}
      annotations:
        kwok.x-k8s.io/usage-cpu: 50m
        kwok.x-k8s.io/usage-memory: 100Mi
    spec:
      nodeSelector: {type: kwok}
      containers:
      - name: app
        image: registry.invalid/shop:1
        resources:
          requests: {cpu: 100m, memory: 256Mi}
`

const shopHPA = `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: shop}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: shop}
  minReplicas: 3
  maxReplicas: 3
  metrics:
  - type: Resource
    resource:
      name: cpu
      target: {type: Utilization, averageUtilization: 70}
  - type: Resource
    resource:
      name: memory
      target: {type: Utilization, averageUtilization: 80}
`

// strayPod carries the Deployment's labels, so the HPA counts it, but runs on the node named
// by NODE; USAGE_MEMORY is its memory usage.
const strayPod = `apiVersion: v1
kind: Pod
metadata:
  name: NAME
  labels: {app: shop}
  annotations:
    kwok.x-k8s.io/usage-cpu: 40m
    kwok.x-k8s.io/usage-memory: USAGE_MEMORY
spec:
  nodeName: NODE
  tolerations: [{key: e2e, operator: Exists, effect: NoSchedule}]
  containers:
  - name: app
    image: registry.invalid/shop:1
    resources:
      requests: {cpu: 100m, memory: 256Mi}
`

func stray(name, node, memory string) string {
	return strings.NewReplacer("NAME", name, "NODE", node, "USAGE_MEMORY", memory).
		Replace(strayPod)
}

// TestTopMatchesController gives the HPA's pods distinct usages, a pod that metrics-server
// cannot scrape (its node points metrics-server at a path kwok does not serve) and a pod
// that is Running but not Ready. top must show, for cpu and memory, the same utilization
// integer the real controller writes to the HPA's status, and treat the two odd pods as the
// controller does: the unscraped pod is missing for both metrics; the not-Ready pod is left
// out of cpu but counted for memory, whose readiness the controller does not look at.
func TestTopMatchesController(t *testing.T) {
	c := cluster.Shared(t)
	cluster.Plugin(t)
	ns := c.Namespace(t)
	addUnscrapedNode(t, c, "node-unscraped")
	c.Apply(t, ns, shopDeployment+"---\n"+shopHPA)
	pods := waitReadyPods(t, c, ns, "app=shop", 3)

	// memory: 100+120+79 = 299Mi of 768Mi is 38.9 %, which the controller truncates to 38
	for i, usage := range [][2]string{{"60m", "100Mi"}, {"90m", "120Mi"}, {"45m", "79Mi"}} {
		c.SetPodUsage(t, ns, pods[i], usage[0], usage[1])
	}
	c.Apply(t, ns, stray("shop-unscraped", "node-unscraped", "200Mi"))
	c.Apply(t, ns, stray("shop-unready", "node-a", "150Mi"))
	setNotReady(t, c, ns, "shop-unready")

	report := waitTopAgrees(t, c, ns, 4*time.Minute)
	hpa := report.HPAs[0]
	treated := map[string][]string{}
	for _, pod := range hpa.Pods {
		for _, tr := range pod.Treatments {
			treated[pod.Name] = append(treated[pod.Name], tr.Metric+"="+tr.Treatment)
		}
	}
	assert.Equal(t, []string{"cpu=missing", "memory=missing"}, treated["shop-unscraped"])
	assert.Equal(t, []string{"cpu=unready", "memory=counted"}, treated["shop-unready"])
	for _, name := range pods {
		assert.Equal(t, []string{"cpu=counted", "memory=counted"}, treated[name], name)
	}
	// memory counts the three pods and the unready one: (299+150)Mi / 1024Mi = 43.8 % → 43
	assert.Equal(t, int32(43), *hpa.Metrics[1].Utilization)

	checkTopNodes(t, c, ns)
}

// checkTopNodes reads `top nodes`: the unscraped node has no usage, the others do, and the
// HPA's fit leaves out the tainted node its template does not tolerate.
func checkTopNodes(t *testing.T, c *cluster.Cluster, ns string) {
	t.Helper()
	stdout, stderr, err := c.Kubectl(t, "directus", "top", "nodes", "-n", ns, "-o", "json")
	require.NoError(t, err, stderr)
	var report view.NodesReport
	require.NoError(t, json.Unmarshal([]byte(stdout), &report))

	used := map[string]bool{}
	for _, node := range report.Nodes {
		used[node.Name] = node.CPU.Used != nil
		if node.Name == "node-a" {
			assert.GreaterOrEqual(t, node.CPU.Requests, int64(100), "shop pods request 100m")
		}
	}
	assert.Equal(t, map[string]bool{"node-a": true, "node-b": true, "node-unscraped": false},
		keep(used, "node-a", "node-b", "node-unscraped"))
	require.Len(t, report.Fits, 1)
	fit := report.Fits[0]
	assert.Equal(t, int64(100), fit.PodCPU)
	assert.Equal(t, 5, fit.Scheduled, "three replicas and the two stray pods")
	assert.True(t, fit.Fits)
	assert.Equal(t, len(report.Nodes)-1, fit.Nodes,
		"every node but node-unscraped, which is tainted and labelled apart")
}

func keep(m map[string]bool, keys ...string) map[string]bool {
	out := map[string]bool{}
	for _, k := range keys {
		if v, ok := m[k]; ok {
			out[k] = v
		}
	}
	return out
}

// waitTopAgrees runs `kubectl directus top -o json` until its utilization of every metric
// equals the HPA status it read in the same snapshot and the odd pods have been sorted, and
// returns that report. The controller writes its status every 15 s from the metrics of that
// moment, so the two agree once both have seen the same scrape.
func waitTopAgrees(t *testing.T, c *cluster.Cluster, ns string,
	timeout time.Duration) *view.TopReport {
	t.Helper()
	var report *view.TopReport
	var last string
	c.WaitFor(t, timeout, "top to agree with the HPA status", func(context.Context) (bool, error) {
		stdout, stderr, err := c.Kubectl(t, "directus", "top", "-n", ns, "-o", "json")
		if err != nil {
			return false, fmt.Errorf("%w: %s", err, stderr)
		}
		report = &view.TopReport{}
		if err := json.Unmarshal([]byte(stdout), report); err != nil {
			return false, err
		}
		last = describeTop(report)
		return topAgrees(report), nil
	})
	t.Logf("top agrees with the controller: %s", last)
	return report
}

func topAgrees(report *view.TopReport) bool {
	if len(report.HPAs) != 1 || len(report.HPAs[0].Pods) != 5 {
		return false
	}
	for _, m := range report.HPAs[0].Metrics {
		if m.Computed == "" || m.Computed != m.Status || m.Missing != 1 {
			return false
		}
	}
	return true
}

func describeTop(report *view.TopReport) string {
	var b strings.Builder
	for _, hpa := range report.HPAs {
		for _, m := range hpa.Metrics {
			fmt.Fprintf(&b, "%s now=%s status=%s counted=%d unready=%d missing=%d; ", m.Name,
				m.Computed, m.Status, m.Counted, m.Unready, m.Missing)
		}
	}
	return b.String()
}

// addUnscrapedNode adds a kwok node, tainted so that only the stray pods go there, whose
// metrics path leads metrics-server to a page kwok does not serve: its pods run, but have no
// metrics.
func addUnscrapedNode(t *testing.T, c *cluster.Cluster, name string) {
	t.Helper()
	node, err := cluster.NewNode(name, "4", "8Gi")
	require.NoError(t, err)
	node.Annotations["metrics.k8s.io/resource-metrics-path"] = "/metrics/nodes/none/missing"
	node.Spec.Taints = []corev1.Taint{{Key: "e2e", Effect: corev1.TaintEffectNoSchedule}}
	node.Labels["type"] = "unscraped"
	_, err = c.Client().CoreV1().Nodes().Create(t.Context(), node, metav1.CreateOptions{})
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_ = c.Client().CoreV1().Nodes().Delete(ctx, name, metav1.DeleteOptions{})
	})
	c.WaitFor(t, time.Minute, name+" Ready", c.NodeReady(name))
}

// setNotReady waits for the pod to run, then turns its Ready condition False, the way a
// failing readiness probe would, and keeps it so for the rest of the test.
func setNotReady(t *testing.T, c *cluster.Cluster, ns, name string) {
	t.Helper()
	c.WaitFor(t, time.Minute, name+" running", func(ctx context.Context) (bool, error) {
		pod, err := c.Client().CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		return podReady(pod), nil
	})
	c.WaitFor(t, time.Minute, name+" not Ready", func(ctx context.Context) (bool, error) {
		pod, err := c.Client().CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		for i := range pod.Status.Conditions {
			if pod.Status.Conditions[i].Type == corev1.PodReady {
				pod.Status.Conditions[i].Status = corev1.ConditionFalse
				pod.Status.Conditions[i].LastTransitionTime = metav1.Now()
			}
		}
		_, err = c.Client().CoreV1().Pods(ns).UpdateStatus(ctx, pod, metav1.UpdateOptions{})
		return err == nil, err
	})
}

// TestStatusMatchesKubectlGetHPA compares every column the two share.
func TestStatusMatchesKubectlGetHPA(t *testing.T) {
	c := cluster.Shared(t)
	cluster.Plugin(t)
	ns := c.Namespace(t)
	c.Apply(t, ns, shopDeployment+"---\n"+shopHPA)
	waitReadyPods(t, c, ns, "app=shop", 3)
	c.WaitHPA(t, ns, "shop", 3*time.Minute, func(h *autoscalingv2.HorizontalPodAutoscaler) bool {
		return len(h.Status.CurrentMetrics) == 2 && h.Status.CurrentMetrics[1].Resource != nil
	})

	var kubectlRow, ourRow []string
	c.WaitFor(t, time.Minute, "status to match kubectl get hpa", func(context.Context) (bool,
		error) {
		get, _, err := c.Kubectl(t, "get", "hpa", "-n", ns, "--no-headers")
		if err != nil {
			return false, err
		}
		status, _, err := c.Kubectl(t, "directus", "status", "-n", ns, "--no-headers")
		if err != nil {
			return false, err
		}
		kubectlRow, ourRow = splitColumns(get), splitColumns(status)
		// kubectl: NAME REFERENCE TARGETS MINPODS MAXPODS REPLICAS AGE
		// ours:    NAME REFERENCE TARGETS MINPODS MAXPODS REPLICAS DESIRED HEALTH ...
		return len(kubectlRow) == 7 && len(ourRow) >= 6 &&
			strings.Join(kubectlRow[:6], "|") == strings.Join(ourRow[:6], "|"), nil
	})
	t.Logf("kubectl get hpa: %q\nstatus: %q", kubectlRow, ourRow)
	assert.Equal(t, "OK", ourRow[7])
}

// splitColumns splits a table line on runs of two or more spaces, so that cells like
// "cpu: 50%/70%, memory: 38%/80%" stay whole.
func splitColumns(line string) []string {
	var cells []string
	for _, cell := range strings.Split(strings.TrimSpace(line), "   ") {
		if cell = strings.TrimSpace(cell); cell != "" {
			cells = append(cells, cell)
		}
	}
	return cells
}

// TestEventsListsRescalesInOrder lets the real controller scale web up twice and checks that
// events lists the SuccessfulRescale events in the order the controller emitted them, with
// the starting count from the Deployment's replica set event, and draws the chart.
func TestEventsListsRescalesInOrder(t *testing.T) {
	c := cluster.Shared(t)
	plugin := cluster.Plugin(t)
	ns := c.Namespace(t)
	c.Apply(t, ns, webDeployment+"---\n"+webHPA)
	c.WaitHPA(t, ns, "web", time.Minute, func(h *autoscalingv2.HorizontalPodAutoscaler) bool {
		return h.UID != ""
	})
	followed := startWatch(t, plugin, c.Kubeconfig, "events", "web", "-n", ns, "--watch")
	c.WaitHPA(t, ns, "web", 6*time.Minute, func(h *autoscalingv2.HorizontalPodAutoscaler) bool {
		return h.Status.CurrentReplicas >= 6
	})
	line := waitLine(t, followed, time.Minute, func(l string) bool {
		return strings.Contains(l, "SuccessfulRescale") && strings.Contains(l, "New size: 6;")
	})
	t.Logf("followed: %s", line.text)

	want := rescaleSizes(t, c, ns)
	require.GreaterOrEqual(t, len(want), 2, "two rescales at least")

	stdout, stderr, err := c.Kubectl(t, "directus", "events", "web", "-n", ns, "-o", "json")
	require.NoError(t, err, stderr)
	var report view.EventsReport
	require.NoError(t, json.Unmarshal([]byte(stdout), &report))
	require.Len(t, report.HPAs, 1)
	var got []int32
	for _, step := range report.HPAs[0].Timeline {
		got = append(got, step.To)
	}
	assert.Equal(t, want, got)
	first := report.HPAs[0].Timeline[0]
	require.NotNil(t, first.From, "the replica set event gives the starting count")
	assert.Equal(t, int32(2), *first.From)

	table, _, err := c.Kubectl(t, "directus", "events", "web", "-n", ns)
	require.NoError(t, err)
	t.Logf("events:\n%s", table)
	assert.Contains(t, table, "Replicas of "+ns+"/web (Deployment/web, min 2, max 10)")
	assert.Contains(t, table, "SuccessfulRescale")
}

// rescaleSizes reads the SuccessfulRescale events of HPA web straight from the API, oldest
// first, and returns their new sizes.
func rescaleSizes(t *testing.T, c *cluster.Cluster, ns string) []int32 {
	t.Helper()
	list, err := c.Client().CoreV1().Events(ns).List(t.Context(), metav1.ListOptions{
		FieldSelector: "reason=SuccessfulRescale,involvedObject.name=web"})
	require.NoError(t, err)
	type occurrence struct {
		at   time.Time
		size int32
	}
	var all []occurrence
	for _, ev := range list.Items {
		var size int32
		_, err := fmt.Sscanf(ev.Message, "New size: %d;", &size)
		require.NoError(t, err, ev.Message)
		require.Equal(t, int32(1), ev.Count, "a repeated rescale would hide its order")
		all = append(all, occurrence{at: ev.FirstTimestamp.Time, size: size})
	}
	for i := range all {
		for j := i + 1; j < len(all); j++ {
			if all[j].at.Before(all[i].at) {
				all[i], all[j] = all[j], all[i]
			}
		}
	}
	sizes := make([]int32, len(all))
	for i, o := range all {
		sizes[i] = o.size
	}
	return sizes
}
