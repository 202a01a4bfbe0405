package explain

import (
	"encoding/json"
	"strings"
	"testing"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-directus/kubectl-directus/pkg/metrics"
	"github.com/kubectl-directus/kubectl-directus/test/cluster"
)

// TestExplainCommand runs the plugin binary against the cluster once the controller has
// synced an HPA at rest: its utilization is the one in the HPA status, it predicts no change,
// it reads the same conditions, and a what-if recomputes the decision.
func TestExplainCommand(t *testing.T) {
	c := cluster.Shared(t)
	ns := c.Namespace(t)
	// 2 pods at 65m of 100m, target 70%: 65% → 0.929, inside the band → stay at 2
	s := scenario{Name: "cmd", CPU: []int64{65, 65}, Memory: []int64{100, 100},
		CPUTarget: 70, Min: 1, Max: 6}
	c.Apply(t, ns, s.manifest(darkNode))
	pods := waitDeploymentPods(t, c, ns, 2)
	for _, pod := range pods {
		c.SetPodUsage(t, ns, pod, "65m", "100Mi")
	}
	waitMetrics(t, c, ns, s, pods)
	_, err := c.Client().AutoscalingV2().HorizontalPodAutoscalers(ns).Create(t.Context(),
		s.hpa(ns), metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	hpa := waitFirstSync(t, c, ns)

	d := explainJSON(t, c, "explain", "app", "-n", ns, "-o", "json")
	if d.Current != 2 || d.Desired != 2 || d.Rescale {
		t.Errorf("explain at rest: current %d desired %d rescale %v", d.Current, d.Desired,
			d.Rescale)
	}
	// the two reads are a scrape apart, and cpu rates jitter by a millicore or two
	ours := d.Metrics[0].Pods.Utilization
	theirs := *hpa.Status.CurrentMetrics[0].Resource.Current.AverageUtilization
	if ours < theirs-2 || ours > theirs+2 {
		t.Errorf("explain sees %d%%, the controller wrote %d%%", ours, theirs)
	}
	if got := conditionReason(d, autoscalingv2.ScalingActive); got != "ValidMetricFound" {
		t.Errorf("ScalingActive reason %q", got)
	}

	// what if both pods used 200% of their request: 200/70 = 2.857 → ceil(5.71) = 6 = max
	d = explainJSON(t, c, "explain", "app", "-n", ns, "-o", "json", "--cpu", "200%")
	if d.Desired != 4 || d.Metrics[0].Proposal != 6 {
		t.Errorf("what-if: desired %d proposal %d (cap max(2×2, 4) = 4)", d.Desired,
			d.Metrics[0].Proposal)
	}

	out, _, err := c.Directus(t, "explain", "app", "-n", ns)
	if err != nil || !strings.Contains(out, "HPA "+ns+"/app at ") ||
		!strings.Contains(out, "Result: stays at 2 replicas") {
		t.Errorf("text output (%v):\n%s", err, out)
	}
}

func explainJSON(t *testing.T, c *cluster.Cluster, args ...string) metrics.Decision {
	t.Helper()
	out, errOut, err := c.Directus(t, args...)
	if err != nil {
		t.Fatalf("kubectl-directus %s: %v\n%s", strings.Join(args, " "), err, errOut)
	}
	var d metrics.Decision
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatalf("explain -o json is not a Decision: %v\n%s", err, out)
	}
	return d
}

func conditionReason(d metrics.Decision, ct autoscalingv2.HorizontalPodAutoscalerConditionType) string {
	for _, cond := range d.Conditions {
		if cond.Type == ct {
			return cond.Reason
		}
	}
	return ""
}
