package explain

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-directus/kubectl-directus/pkg/kube"
	"github.com/kubectl-directus/kubectl-directus/pkg/metrics"
	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
	"github.com/kubectl-directus/kubectl-directus/test/cluster"
)

const (
	// seed fixes the generated scenarios; change it to explore others.
	seed = 20260301
	// scenarioCount is how many scenarios run, all at once in their own namespaces.
	scenarioCount = 40
	// syncPeriod is the controller's default; it must answer within two of them.
	syncPeriod = 15 * time.Second
	// darkNode runs pods whose metrics metrics-server cannot scrape.
	darkNode = "dark"
)

// result is one scenario's prediction next to what the controller wrote.
type result struct {
	scenario  scenario
	predicted int32
	actual    int32
	// utilization the calculator computed and the controller reported, per metric
	predictedUtil []int32
	actualUtil    []int32
	ran           bool
}

func (r result) agrees() bool { return r.ran && r.predicted == r.actual }

// TestPredictionsMatchTheController generates scenarios (pod counts, cpu and memory usages,
// Pending pods, pods without metrics, cpu alone or with memory, with or without a scale-down
// window), predicts each HPA's first decision with the calculator from a snapshot taken just
// before the HPA is created, and compares it with status.desiredReplicas written by the real
// controller. Every prediction must agree.
func TestPredictionsMatchTheController(t *testing.T) {
	c := cluster.Shared(t)
	addDarkNode(t, c)
	scenarios, redrawn := generate(seed, scenarioCount)
	t.Logf("%d scenarios from seed %d (%d knife-edge draws replaced)", len(scenarios), seed,
		redrawn)

	// Subtests started from separate goroutines run at once, whatever go test's -parallel;
	// the scenarios spend their time waiting for metrics, not computing.
	results := make([]result, len(scenarios))
	var wg sync.WaitGroup
	for i, s := range scenarios {
		wg.Go(func() {
			t.Run(s.Name, func(t *testing.T) { results[i] = runScenario(t, c, s) })
		})
	}
	wg.Wait()
	report(t, results)
}

// addDarkNode adds a kwok node whose metrics path leads nowhere: its pods run and are Ready
// but have no metrics, as when a kubelet cannot be scraped. A taint keeps every other pod
// off it. Its address is 127.0.0.1.
func addDarkNode(t *testing.T, c *cluster.Cluster) {
	node, err := cluster.NewNode(darkNode, "16", "64Gi")
	if err != nil {
		t.Fatal(err)
	}
	node.Annotations["metrics.k8s.io/resource-metrics-path"] =
		"/metrics/nodes/no-such-node/metrics/resource"
	node.Spec.Taints = []corev1.Taint{{Key: darkNode, Effect: corev1.TaintEffectNoSchedule}}
	_, err = c.Client().CoreV1().Nodes().Create(t.Context(), node, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("creating node %s: %v", darkNode, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		err := c.Client().CoreV1().Nodes().Delete(ctx, darkNode, metav1.DeleteOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			t.Errorf("deleting node %s: %v", darkNode, err)
		}
	})
	c.WaitFor(t, time.Minute, "node "+darkNode+" Ready", c.NodeReady(darkNode))
}

func runScenario(t *testing.T, c *cluster.Cluster, s scenario) result {
	ns := c.Namespace(t)
	c.Apply(t, ns, s.manifest(darkNode))
	pods := waitDeploymentPods(t, c, ns, len(s.CPU))
	for i, pod := range pods {
		c.SetPodUsage(t, ns, pod, fmt.Sprintf("%dm", s.CPU[i]), fmt.Sprintf("%dMi", s.Memory[i]))
	}
	waitMetrics(t, c, ns, s, pods)

	snap := gather(t, c, ns)
	hpa, err := c.Client().AutoscalingV2().HorizontalPodAutoscalers(ns).Create(t.Context(),
		s.hpa(ns), metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("creating HPA: %v", err)
	}
	d := predict(snap, hpa)

	written := waitFirstSync(t, c, ns)
	r := result{scenario: s, predicted: d.Desired, actual: written.Status.DesiredReplicas,
		predictedUtil: predictedUtilization(d), actualUtil: writtenUtilization(written),
		ran: true}
	if !r.agrees() {
		t.Errorf("%s\npredicted %d, controller wrote %d\nchain: %s\ncontroller: %s", s,
			r.predicted, r.actual, chain(d), cluster.DescribeHPA(written))
	}
	return r
}

// predict runs the calculator the way explain does, for the HPA just created: the decision
// is for the controller's first sync, which starts now.
func predict(snap *snapshot.Snapshot, hpa *autoscalingv2.HorizontalPodAutoscaler) metrics.Decision {
	snap.HPAs = append(snap.HPAs, *hpa)
	snap.Taken = time.Now()
	in := metrics.InputFromSnapshot(snap, &snap.HPAs[len(snap.HPAs)-1], metrics.Settings{})
	return metrics.Decide(in)
}

func gather(t *testing.T, c *cluster.Cluster, ns string) *snapshot.Snapshot {
	clients, err := kube.NewClientsForConfig(c.RESTConfig())
	if err != nil {
		t.Fatal(err)
	}
	snap, err := snapshot.Gather(t.Context(), clients, snapshot.Scope{Namespace: ns},
		snapshot.PartMetrics|snapshot.PartEvents)
	if err != nil {
		t.Fatalf("gathering %s: %v", ns, err)
	}
	return snap
}

// waitFirstSync returns the HPA as the controller's first sync left it: the first version
// with a ScalingActive condition. Syncs are a period apart, so polling twice a second cannot
// miss it.
func waitFirstSync(t *testing.T, c *cluster.Cluster, ns string) *autoscalingv2.HorizontalPodAutoscaler {
	var first *autoscalingv2.HorizontalPodAutoscaler
	c.WaitFor(t, 2*syncPeriod+5*time.Second, "the controller's first sync",
		func(ctx context.Context) (bool, error) {
			hpa, err := c.Client().AutoscalingV2().HorizontalPodAutoscalers(ns).Get(ctx, "app",
				metav1.GetOptions{})
			if err != nil {
				return false, err
			}
			for _, cond := range hpa.Status.Conditions {
				if cond.Type == autoscalingv2.ScalingActive {
					first = hpa
					return true, nil
				}
			}
			return false, nil
		})
	return first
}

func predictedUtilization(d metrics.Decision) []int32 {
	var out []int32
	for _, m := range d.Metrics {
		if m.Pods != nil {
			out = append(out, m.Pods.Utilization)
		}
	}
	return out
}

func writtenUtilization(hpa *autoscalingv2.HorizontalPodAutoscaler) []int32 {
	var out []int32
	for _, m := range hpa.Status.CurrentMetrics {
		if m.Resource != nil && m.Resource.Current.AverageUtilization != nil {
			out = append(out, *m.Resource.Current.AverageUtilization)
		}
	}
	return out
}

func chain(d metrics.Decision) string {
	var parts []string
	for _, m := range d.Metrics {
		parts = append(parts, fmt.Sprintf("%s→%d", m.Name, m.Proposal))
	}
	for _, s := range d.Steps {
		parts = append(parts, fmt.Sprintf("%s %d→%d %s", s.Name, s.From, s.To, s.Reason))
	}
	return strings.Join(parts, "; ")
}

// report prints every scenario and the agreement rate, which must be 100 %.
func report(t *testing.T, results []result) {
	agree, ran := 0, 0
	for _, r := range results {
		if !r.ran {
			continue
		}
		ran++
		mark := "agree"
		if r.agrees() {
			agree++
		} else {
			mark = "DISAGREE"
		}
		t.Logf("%-8s %s | predicted %d (util %v) controller %d (util %v)", mark, r.scenario,
			r.predicted, r.predictedUtil, r.actual, r.actualUtil)
	}
	rate := 0.0
	if ran > 0 {
		rate = 100 * float64(agree) / float64(ran)
	}
	t.Logf("agreement: %d of %d scenarios (%.1f%%); decisions: %s", agree, ran, rate,
		outcomes(results))
	fmt.Printf("explain property test: agreement %d/%d (%.1f%%)\n", agree, ran, rate)
	if ran < scenarioCount || agree != ran {
		t.Errorf("agreement must be 100%% over %d scenarios: %d of %d agreed", scenarioCount,
			agree, ran)
	}
}

// outcomes counts the controller's decisions by direction, to show what the scenarios cover.
func outcomes(results []result) string {
	var up, down, same int
	for _, r := range results {
		switch current := int32(len(r.scenario.CPU)); {
		case r.actual > current:
			up++
		case r.actual < current:
			down++
		default:
			same++
		}
	}
	return fmt.Sprintf("%d scale up, %d scale down, %d stay", up, down, same)
}
