package reliability

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

	"github.com/kubectl-directus/kubectl-directus/pkg/diagnose"
	"github.com/kubectl-directus/kubectl-directus/test/cluster"
)

// widgetCRD is a custom resource with a scale subresource whose selector is read from its
// status, so a Widget can point an HPA at a selector that matches nothing.
const widgetCRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.reliability.kubectl-directus.test}
spec:
  group: reliability.kubectl-directus.test
  names: {kind: Widget, plural: widgets, singular: widget}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        x-kubernetes-preserve-unknown-fields: true
    subresources:
      scale:
        specReplicasPath: .spec.replicas
        statusReplicasPath: .status.replicas
        labelSelectorPath: .status.selector
`

// plainDeployment is a Deployment of two pods with usage, for one odd HPA.
func plainDeployment(name string) string {
	return fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata: {name: %[1]s}
spec:
  replicas: 2
  selector: {matchLabels: {app: %[1]s}}
  template:
    metadata:
      labels: {app: %[1]s}
      annotations: {kwok.x-k8s.io/usage-cpu: 100m, kwok.x-k8s.io/usage-memory: 100Mi}
    spec:
      containers:
      - {name: app, image: busybox:1.37, resources: {requests: {cpu: 200m, memory: 256Mi}}}
---
`, name)
}

// oddObjects are HPAs the API server accepts but few tools expect, each over its own target.
func oddObjects() string {
	return plainDeployment("plain-a") + plainDeployment("plain-b") + plainDeployment("plain-c") +
		`apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: no-metrics-list}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: plain-a}
  minReplicas: 2
  maxReplicas: 4
---
apiVersion: autoscaling/v1
kind: HorizontalPodAutoscaler
metadata: {name: v1-only}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: plain-b}
  minReplicas: 1
  maxReplicas: 3
  targetCPUUtilizationPercentage: 50
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: huge-targets}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: plain-c}
  minReplicas: 1
  maxReplicas: 2147483647
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 2147483647}}
  - type: Resource
    resource: {name: memory, target: {type: AverageValue, averageValue: 8E}}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers:
      - {name: agent, image: busybox:1.37, resources: {requests: {cpu: 10m}}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: no-scale-subresource}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: DaemonSet, name: agent}
  maxReplicas: 3
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}
---
apiVersion: reliability.kubectl-directus.test/v1
kind: Widget
metadata: {name: lonely}
spec: {replicas: 2}
status: {replicas: 2, selector: "app=matches-nothing"}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: selector-matches-nothing}
spec:
  scaleTargetRef: {apiVersion: reliability.kubectl-directus.test/v1, kind: Widget, name: lonely}
  maxReplicas: 3
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}
`
}

// manyContainers is a Deployment whose pods run 30 containers of 10m each, with its HPA.
func manyContainers() string {
	var containers strings.Builder
	for i := range 30 {
		fmt.Fprintf(&containers, "      - {name: c%02d, image: busybox:1.37, "+
			"resources: {requests: {cpu: 10m, memory: 16Mi}}}\n", i)
	}
	return `apiVersion: apps/v1
kind: Deployment
metadata: {name: crowded}
spec:
  replicas: 2
  selector: {matchLabels: {app: crowded}}
  template:
    metadata:
      labels: {app: crowded}
      annotations: {kwok.x-k8s.io/usage-cpu: 9m, kwok.x-k8s.io/usage-memory: 8Mi}
    spec:
      containers:
` + containers.String() + `---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: crowded}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: crowded}
  minReplicas: 2
  maxReplicas: 4
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 90}}
`
}

// manyEvents writes n warning events about the HPA name in ns.
func manyEvents(t *testing.T, c *cluster.Cluster, ns, name string, n int) {
	t.Helper()
	now := metav1.NewTime(time.Now().Add(-time.Minute))
	for i := range n {
		ev := &corev1.Event{
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("%s.flood%05d", name, i),
				Namespace: ns},
			InvolvedObject: corev1.ObjectReference{APIVersion: "autoscaling/v2",
				Kind: "HorizontalPodAutoscaler", Namespace: ns, Name: name},
			Type: corev1.EventTypeWarning, Reason: "FailedGetResourceMetric",
			Message: fmt.Sprintf("failed to get cpu utilization: attempt %d", i),
			Count:   1, FirstTimestamp: now, LastTimestamp: now,
			Source: corev1.EventSource{Component: "horizontal-pod-autoscaler"},
		}
		_, err := c.Client().CoreV1().Events(ns).Create(t.Context(), ev, metav1.CreateOptions{})
		require.NoError(t, err)
	}
}

func TestOddObjects(t *testing.T) {
	c := cluster.Shared(t)
	ns := c.Namespace(t)
	c.Apply(t, "", widgetCRD)
	c.WaitFor(t, time.Minute, "Widget CRD served", widgetsServed(c))
	measuredCMS(t, c, ns, "cms")
	c.Apply(t, ns, oddObjects())
	c.Apply(t, ns, manyContainers())
	c.WaitHPA(t, ns, "crowded", 4*time.Minute, scalingActive)
	manyEvents(t, c, ns, "cms", 3000)
	c.WaitHPA(t, ns, "selector-matches-nothing", 2*time.Minute, hasStatus)
	c.WaitHPA(t, ns, "no-scale-subresource", 2*time.Minute, hasStatus)

	report, res := doctorReport(t, c, "-n", ns)
	t.Logf("doctor on odd objects (%s):\n%s", res.Elapsed.Round(time.Millisecond),
		strings.Join(findingIDs(report), "\n"))
	assertFinding(t, report, "HPA-TGT-001", "no-scale-subresource", "has no scale subresource")
	assertFinding(t, report, "HPA-TGT-002", "selector-matches-nothing", "matches no pod")
	for _, f := range report.Findings {
		assert.NotContains(t, f.Message, "does not exist", "every target here exists")
	}
	crowdedAgreesWithTheController(t, c, ns)
	for _, args := range [][]string{
		{"top"}, {"top", "--containers"}, {"status"}, {"events"}, {"events", "cms"},
		{"explain", "no-metrics-list"}, {"explain", "v1-only"}, {"explain", "huge-targets"},
		{"explain", "no-scale-subresource"}, {"explain", "selector-matches-nothing"},
		{"explain", "crowded"}, {"explain", "cms"},
	} {
		res := plugin(t, c, 0, append(args, "-n", ns)...)
		assert.Equal(t, 0, res.Code, "%v: %s", args, res.String())
		assert.NotContains(t, res.Stderr, "panic", args)
		assert.Less(t, res.Elapsed, time.Minute, args)
		t.Logf("%v:\n%s", args, res.String())
	}
}

// hasStatus holds once the controller has written a condition.
func hasStatus(hpa *autoscalingv2.HorizontalPodAutoscaler) bool {
	return len(hpa.Status.Conditions) > 0
}

// widgetsServed holds once Widgets can be listed.
func widgetsServed(c *cluster.Cluster) func(context.Context) (bool, error) {
	return func(ctx context.Context) (bool, error) {
		_, err := c.Client().Discovery().ServerResourcesForGroupVersion(
			"reliability.kubectl-directus.test/v1")
		return err == nil, nil
	}
}

// assertFinding checks for an error-level finding of id about the HPA whose message says what.
func assertFinding(t *testing.T, report *diagnose.Report, id, hpa, what string) {
	t.Helper()
	for _, f := range report.Findings {
		if f.ID == id && f.Subject.Name == hpa && f.Severity == diagnose.Error &&
			strings.Contains(f.Message, what) {
			return
		}
	}
	t.Errorf("no %s error about %s saying %q in:\n%s", id, hpa, what,
		strings.Join(findingIDs(report), "\n"))
}

// crowdedTop is top's JSON for the crowded HPA, as far as the test reads it.
type crowdedTop struct {
	HPAs []struct {
		Pods []struct {
			Containers []json.RawMessage `json:"containers"`
		} `json:"pods"`
		Metrics []struct {
			Utilization *int32 `json:"utilization"`
			Counted     int    `json:"counted"`
		} `json:"metrics"`
	} `json:"hpas"`
}

// crowdedAgreesWithTheController compares top's cpu utilization of the 30-container pods
// with the one the HPA controller wrote in the HPA's status, once every pod has a sample
// (a pod the HPA just added has none for a minute), and checks that top lists every
// container.
func crowdedAgreesWithTheController(t *testing.T, c *cluster.Cluster, ns string) {
	t.Helper()
	var top crowdedTop
	var res result
	settled := func(context.Context) (bool, error) {
		res = plugin(t, c, 0, "top", "crowded", "-n", ns, "--containers", "-o", "json")
		top = crowdedTop{}
		if res.Code != 0 || json.Unmarshal([]byte(res.Stdout), &top) != nil ||
			len(top.HPAs) != 1 || len(top.HPAs[0].Metrics) != 1 {
			return false, nil
		}
		h := top.HPAs[0]
		return h.Metrics[0].Utilization != nil && h.Metrics[0].Counted == len(h.Pods), nil
	}
	c.WaitFor(t, 3*time.Minute, "a sample for every crowded pod", settled)
	for _, pod := range top.HPAs[0].Pods {
		assert.Len(t, pod.Containers, 30)
	}

	hpa, err := c.Client().AutoscalingV2().HorizontalPodAutoscalers(ns).Get(t.Context(),
		"crowded", metav1.GetOptions{})
	require.NoError(t, err)
	require.Len(t, hpa.Status.CurrentMetrics, 1)
	controller := *hpa.Status.CurrentMetrics[0].Resource.Current.AverageUtilization
	ours := *top.HPAs[0].Metrics[0].Utilization
	assert.InDelta(t, controller, ours, 5,
		"top says %d%%, the controller %d%% (a scrape apart at most)", ours, controller)
}
