package metrics

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	resourcemetrics "k8s.io/metrics/pkg/apis/metrics/v1beta1"
)

// cpuMetrics gives each named pod one container "app" using cpu (memory 50Mi).
func cpuMetrics(kv ...string) []resourcemetrics.PodMetrics {
	var out []resourcemetrics.PodMetrics
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, podMetrics(kv[i], [3]string{"app", kv[i+1], "50Mi"}))
	}
	return out
}

func decideInput(hpa *autoscalingv2.HorizontalPodAutoscaler, current int32, ps []*corev1.Pod,
	items []resourcemetrics.PodMetrics) Input {
	return Input{
		HPA:    hpa,
		Scale:  Scale{SpecReplicas: current, StatusReplicas: current, Selector: "app=directus"},
		Pods:   ps,
		Source: &ObservedSource{PodMetrics: items},
		Now:    now,
	}
}

func conditionOf(d Decision, t autoscalingv2.HorizontalPodAutoscalerConditionType) Condition {
	for _, c := range d.Conditions {
		if c.Type == t {
			return c
		}
	}
	return Condition{}
}

func assertCondition(t *testing.T, d Decision, ct autoscalingv2.HorizontalPodAutoscalerConditionType,
	status corev1.ConditionStatus, reason, message string) {
	t.Helper()
	c := conditionOf(d, ct)
	if c.Status != status || c.Reason != reason || c.Message != message {
		t.Errorf("%s = %s %s %q, want %s %s %q", ct, c.Status, c.Reason, c.Message, status,
			reason, message)
	}
}

func hasEvent(d Decision, reason, message string) bool {
	for _, e := range d.Events {
		if e.Reason == reason && e.Message == message {
			return true
		}
	}
	return false
}

func TestDecidePreChecks(t *testing.T) {
	hpa := newHPA(2, 10, utilizationMetric("cpu", 70))

	d := Decide(decideInput(hpa, 0, nil, nil))
	if d.Stage != StagePreCheck || d.Desired != 0 || d.Rescale {
		t.Errorf("zero replicas: stage %s desired %d rescale %v", d.Stage, d.Desired, d.Rescale)
	}
	assertCondition(t, d, autoscalingv2.ScalingActive, corev1.ConditionFalse,
		"ScalingDisabled", "scaling is disabled since the replica count of the target is zero")

	d = Decide(decideInput(hpa, 12, nil, nil))
	reason := "Current number of replicas above Spec.MaxReplicas"
	if d.Desired != 10 || !d.Rescale || d.RescaleReason != reason {
		t.Errorf("above max: desired %d rescale %v reason %q", d.Desired, d.Rescale,
			d.RescaleReason)
	}
	if !hasEvent(d, "SuccessfulRescale", "New size: 10; reason: "+reason) {
		t.Errorf("above max: events %+v", d.Events)
	}
	assertCondition(t, d, autoscalingv2.AbleToScale, corev1.ConditionTrue, "SucceededRescale",
		"the HPA controller was able to update the target scale to 10")
	assertCondition(t, d, autoscalingv2.ScaledToZero, corev1.ConditionFalse,
		"NotScaledToZero", "the HPA controller did not scale the workload to zero")

	d = Decide(decideInput(hpa, 1, nil, nil))
	if d.Desired != 2 || d.RescaleReason != "Current number of replicas below Spec.MinReplicas" {
		t.Errorf("below min: desired %d reason %q", d.Desired, d.RescaleReason)
	}
}

func TestDecideSelectorFailures(t *testing.T) {
	hpa := newHPA(1, 10, utilizationMetric("cpu", 70))
	in := decideInput(hpa, 2, pods(2), cpuMetrics("p-0", "50m", "p-1", "50m"))

	in.Scale.Selector = ""
	d := Decide(in)
	assertCondition(t, d, autoscalingv2.ScalingActive, corev1.ConditionFalse,
		"InvalidSelector", "the HPA target's scale is missing a selector")
	if !hasEvent(d, "SelectorRequired", "selector is required") ||
		!hasEvent(d, "FailedComputeMetricsReplicas", "selector is required") ||
		!d.StatusDesiredKept || d.Desired != 2 {
		t.Errorf("missing selector: %+v", d)
	}

	in.Scale.Selector = "app=directus"
	in.Peers = []Peer{{Name: "directus", Selector: "app=directus"},
		{Name: "other", Selector: "app"}}
	d = Decide(in)
	c := conditionOf(d, autoscalingv2.ScalingActive)
	want := "pods by selector app=directus are controlled by more than one HPA (e.g. "
	if c.Reason != "AmbiguousSelector" || !strings.HasPrefix(c.Message, want) ||
		!strings.Contains(c.Message, "ns/other") {
		t.Errorf("ambiguous selector: %+v", c)
	}
}

// Example D end to end: 2 pods at 181m of 100m, target 70 → 6 → capped at 4.
func TestDecideScaleUpChain(t *testing.T) {
	hpa := newHPA(1, 10, utilizationMetric("cpu", 70))
	d := Decide(decideInput(hpa, 2, pods(2), cpuMetrics("p-0", "181m", "p-1", "181m")))

	desc := "cpu resource utilization (percentage of request)"
	if d.Desired != 4 || !d.Rescale || d.RescaleReason != desc+" above target" {
		t.Fatalf("desired %d rescale %v reason %q", d.Desired, d.Rescale, d.RescaleReason)
	}
	m := d.Metrics[0]
	if m.Proposal != 6 || m.Pods.Utilization != 181 || m.Target != "70% of request" ||
		m.Description != desc {
		t.Errorf("metric %+v", m)
	}
	assertCondition(t, d, autoscalingv2.ScalingActive, corev1.ConditionTrue,
		"ValidMetricFound", "the HPA was able to successfully calculate a replica count from "+desc)
	assertCondition(t, d, autoscalingv2.ScalingLimited, corev1.ConditionTrue, "ScaleUpLimit",
		"the desired replica count is increasing faster than the maximum scale rate")
	assertCondition(t, d, autoscalingv2.AbleToScale, corev1.ConditionTrue, "SucceededRescale",
		"the HPA controller was able to update the target scale to 4")
	if got := stepNames(d); got != "metrics,stabilization,limits" {
		t.Errorf("steps %s", got)
	}
	if !hasAssumption(d, KnobTolerance) || !hasAssumption(d, KnobCPUInitializationPeriod) ||
		!hasAssumption(d, KnobDownscaleStabilization) {
		t.Errorf("assumptions %v", d.Assumptions)
	}
}

func stepNames(d Decision) string {
	var names []string
	for _, s := range d.Steps {
		names = append(names, s.Name)
	}
	return strings.Join(names, ",")
}

func hasAssumption(d Decision, k Knob) bool {
	for _, a := range d.Assumptions {
		if a.Knob == k {
			return true
		}
	}
	return false
}

// The product's HPA with its behavior, right after creation: the seed recommendation of 2
// holds the scale-up for the 300 s up window.
func TestDecideDirectusBehaviorHoldsScaleUp(t *testing.T) {
	hpa := newHPA(2, 10, utilizationMetric("cpu", 70), utilizationMetric("memory", 80))
	hpa.Spec.Behavior = directusBehavior()
	in := decideInput(hpa, 2, pods(2), cpuMetrics("p-0", "181m", "p-1", "181m"))
	in.History = History{Recommendations: []Recommendation{rec(2, 15*time.Second)},
		Complete: true}

	d := Decide(in)
	// cpu: ceil(181/70 × 2) = 6; memory: 50Mi of 100Mi = 50% of 80 → 0.625 → ceil(1.25) = 2
	if d.Metrics[0].Proposal != 6 || d.Metrics[1].Proposal != 2 || d.Combination.Winner != 0 {
		t.Fatalf("proposals %d, %d winner %d", d.Metrics[0].Proposal, d.Metrics[1].Proposal,
			d.Combination.Winner)
	}
	// upRec = min(6, 2) = 2 → stays 2
	if d.Desired != 2 || d.Rescale {
		t.Fatalf("desired %d rescale %v", d.Desired, d.Rescale)
	}
	assertCondition(t, d, autoscalingv2.AbleToScale, corev1.ConditionTrue, "ScaleUpStabilized",
		"recent recommendations were lower than current one, applying the lowest recent "+
			"recommendation")
	assertCondition(t, d, autoscalingv2.ScalingLimited, corev1.ConditionFalse,
		"DesiredWithinRange", "the desired count is within the acceptable range")
	// the seed (15 s ago) and this sync's raw 6 are in the window; the seed leaves it at
	// now − 15 s + 300 s (+1 s past the edge), given a breach from the next sync on
	up := d.NextScaleUp
	if up == nil || !up.Possible || !up.At.Equal(now.Add(286*time.Second)) ||
		up.Blocker != "stabilization window" {
		t.Errorf("next scale-up %+v", up)
	}
}

func TestDecideInvalidMetrics(t *testing.T) {
	noMemory := containers(container("app", "100m", ""))
	hpa := newHPA(1, 10, utilizationMetric("cpu", 70), utilizationMetric("memory", 80))
	memErr := "failed to get memory utilization: missing request for memory in container " +
		"app of Pod p-0"

	// cpu 181m → 6 > 2: the invalid memory metric does not stop the scale-up
	d := Decide(decideInput(hpa, 2, pods(2, noMemory), cpuMetrics("p-0", "181m", "p-1",
		"181m")))
	if d.Desired != 4 || d.Combination.Blocked || d.Metrics[1].Valid {
		t.Errorf("scale-up with an invalid metric: desired %d %+v", d.Desired, d.Combination)
	}
	if !hasEvent(d, "FailedGetResourceMetric", memErr) {
		t.Errorf("events %+v", d.Events)
	}

	// cpu 20m → scale-down: blocked
	d = Decide(decideInput(hpa, 2, pods(2, noMemory), cpuMetrics("p-0", "20m", "p-1", "20m")))
	if d.Desired != 2 || d.Rescale || !d.Combination.Blocked || !d.StatusDesiredKept {
		t.Errorf("scale-down with an invalid metric: %+v", d)
	}
	assertCondition(t, d, autoscalingv2.ScalingActive, corev1.ConditionFalse,
		"FailedGetResourceMetric", "the HPA was unable to compute the replica count: "+memErr)
	want := "invalid metrics (1 invalid out of 2), first error is: failed to get memory " +
		"resource metric value: " + memErr
	if !hasEvent(d, "FailedComputeMetricsReplicas", want) {
		t.Errorf("events %+v", d.Events)
	}
}

// The error strings of each metric type, layered as the controller layers them.
func TestDecideMetricErrors(t *testing.T) {
	bad := errors.New("the server could not find the requested resource")
	obj := autoscalingv2.CrossVersionObjectReference{Kind: "Service", Name: "web",
		APIVersion: "v1"}
	cases := []struct {
		name      string
		spec      autoscalingv2.MetricSpec
		source    Source
		reason    string
		condition string
		outer     string
	}{
		{"resource metrics API down", utilizationMetric("cpu", 70),
			&ObservedSource{PodMetricsErr: bad}, "FailedGetResourceMetric",
			"failed to get cpu utilization: unable to get metrics for resource cpu: unable " +
				"to fetch metrics from resource metrics API: " + bad.Error(),
			"failed to get cpu resource metric value: failed to get cpu utilization: unable " +
				"to get metrics for resource cpu: unable to fetch metrics from resource " +
				"metrics API: " + bad.Error()},
		{"resource average value, no metrics", autoscalingv2.MetricSpec{
			Type: autoscalingv2.ResourceMetricSourceType,
			Resource: &autoscalingv2.ResourceMetricSource{Name: "cpu", Target: autoscalingv2.
				MetricTarget{Type: autoscalingv2.AverageValueMetricType,
				AverageValue: ptr(resource.MustParse("500m"))}}},
			&ObservedSource{}, "FailedGetResourceMetric",
			"failed to get cpu usage: unable to get metrics for resource cpu: no metrics " +
				"returned from resource metrics API",
			"failed to get cpu resource metric value: failed to get cpu usage: unable to get " +
				"metrics for resource cpu: no metrics returned from resource metrics API"},
		{"resource without target", autoscalingv2.MetricSpec{
			Type:     autoscalingv2.ResourceMetricSourceType,
			Resource: &autoscalingv2.ResourceMetricSource{Name: "cpu"}},
			&ObservedSource{}, "FailedGetResourceMetric",
			"invalid resource metric source: neither an average utilization target nor an " +
				"average value (usage) target was set",
			"failed to get cpu resource metric value: invalid resource metric source: " +
				"neither an average utilization target nor an average value (usage) target " +
				"was set"},
		{"container resource names its container", autoscalingv2.MetricSpec{
			Type: autoscalingv2.ContainerResourceMetricSourceType,
			ContainerResource: &autoscalingv2.ContainerResourceMetricSource{Name: "cpu",
				Container: "web", Target: autoscalingv2.MetricTarget{
					AverageUtilization: ptr(int32(70))}}},
			&ObservedSource{PodMetrics: cpuMetrics("p-0", "10m")},
			"FailedGetContainerResourceMetric",
			"failed to get cpu utilization: did not receive metrics for targeted pods (pods " +
				"might be unready)",
			"failed to get web container metric value: failed to get cpu utilization: did " +
				"not receive metrics for targeted pods (pods might be unready)"},
		{"object value", autoscalingv2.MetricSpec{Type: autoscalingv2.ObjectMetricSourceType,
			Object: &autoscalingv2.ObjectMetricSource{DescribedObject: obj,
				Metric: autoscalingv2.MetricIdentifier{Name: "rps"},
				Target: autoscalingv2.MetricTarget{Type: autoscalingv2.ValueMetricType,
					Value: ptr(resource.MustParse("10"))}}},
			failingSource{err: bad}, "FailedGetObjectMetric",
			"unable to get metric rps on Service ns/web: " + bad.Error(),
			"failed to get object metric value: unable to get metric rps on Service ns/web: " +
				bad.Error()},
		{"object average value", autoscalingv2.MetricSpec{
			Type: autoscalingv2.ObjectMetricSourceType,
			Object: &autoscalingv2.ObjectMetricSource{DescribedObject: obj,
				Metric: autoscalingv2.MetricIdentifier{Name: "rps"},
				Target: autoscalingv2.MetricTarget{Type: autoscalingv2.AverageValueMetricType,
					AverageValue: ptr(resource.MustParse("10"))}}},
			failingSource{err: bad}, "FailedGetObjectMetric",
			"unable to get metric rps on Service ns/web: " + bad.Error(),
			"failed to get object metric value: failed to get rps object metric: unable to " +
				"get metric rps on Service ns/web: " + bad.Error()},
		{"external value", autoscalingv2.MetricSpec{Type: autoscalingv2.ExternalMetricSourceType,
			External: &autoscalingv2.ExternalMetricSource{
				Metric: autoscalingv2.MetricIdentifier{Name: "queue"},
				Target: autoscalingv2.MetricTarget{Type: autoscalingv2.ValueMetricType,
					Value: ptr(resource.MustParse("10"))}}},
			failingSource{err: bad}, "FailedGetExternalMetric",
			"unable to get external metric ns/queue/nil: " + bad.Error(),
			"failed to get queue external metric value: failed to get external metric " +
				"queue: unable to get external metric ns/queue/nil: " + bad.Error()},
		{"external average value", autoscalingv2.MetricSpec{
			Type: autoscalingv2.ExternalMetricSourceType,
			External: &autoscalingv2.ExternalMetricSource{
				Metric: autoscalingv2.MetricIdentifier{Name: "queue"},
				Target: autoscalingv2.MetricTarget{Type: autoscalingv2.AverageValueMetricType,
					AverageValue: ptr(resource.MustParse("10"))}}},
			failingSource{err: bad}, "FailedGetExternalMetric",
			"unable to get external metric ns/queue/nil: " + bad.Error(),
			"failed to get queue external metric value: failed to get queue external " +
				"metric: unable to get external metric ns/queue/nil: " + bad.Error()},
		{"pods metric", autoscalingv2.MetricSpec{Type: autoscalingv2.PodsMetricSourceType,
			Pods: &autoscalingv2.PodsMetricSource{
				Metric: autoscalingv2.MetricIdentifier{Name: "connections"},
				Target: autoscalingv2.MetricTarget{Type: autoscalingv2.AverageValueMetricType,
					AverageValue: ptr(resource.MustParse("100"))}}},
			failingSource{err: bad}, "FailedGetPodsMetric",
			"unable to get metric connections: " + bad.Error(),
			"failed to get pods metric value: unable to get metric connections: " +
				bad.Error()},
		{"unknown type", autoscalingv2.MetricSpec{Type: "Bogus"}, &ObservedSource{},
			"InvalidMetricSourceType", `unknown metric source type "Bogus"`,
			`unknown metric source type "Bogus"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := decideInput(newHPA(1, 10, tc.spec), 2, pods(2), nil)
			in.Source = tc.source
			d := Decide(in)
			m := d.Metrics[0]
			if m.Valid || m.ConditionReason != tc.reason || m.EventMessage != tc.condition ||
				m.ConditionMessage != "the HPA was unable to compute the replica count: "+
					tc.condition || m.Error != tc.outer {
				t.Errorf("got reason %q\nevent %q\nouter %q", m.ConditionReason,
					m.EventMessage, m.Error)
			}
			want := "invalid metrics (1 invalid out of 1), first error is: " + tc.outer
			if !hasEvent(d, "FailedComputeMetricsReplicas", want) || !d.StatusDesiredKept {
				t.Errorf("events %+v", d.Events)
			}
		})
	}
}

// failingSource fails every custom, object and external read with err.
type failingSource struct{ err error }

func (f failingSource) ResourceSamples(corev1.ResourceName, string) (Samples, error) {
	return nil, f.err
}
func (f failingSource) PodsSamples(autoscalingv2.MetricIdentifier) (Samples, error) {
	return nil, f.err
}
func (f failingSource) ObjectValue(autoscalingv2.CrossVersionObjectReference,
	autoscalingv2.MetricIdentifier) (int64, error) {
	return 0, f.err
}
func (f failingSource) ExternalValues(autoscalingv2.MetricIdentifier) ([]int64, error) {
	return nil, f.err
}

// valueSource serves fixed object and external values.
type valueSource struct {
	failingSource
	object   int64
	external []int64
}

func (v valueSource) ObjectValue(autoscalingv2.CrossVersionObjectReference,
	autoscalingv2.MetricIdentifier) (int64, error) {
	return v.object, nil
}
func (v valueSource) ExternalValues(autoscalingv2.MetricIdentifier) ([]int64, error) {
	return v.external, nil
}

func externalValue(target string) autoscalingv2.MetricSpec {
	return autoscalingv2.MetricSpec{Type: autoscalingv2.ExternalMetricSourceType,
		External: &autoscalingv2.ExternalMetricSource{
			Metric: autoscalingv2.MetricIdentifier{Name: "queue",
				Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"q": "jobs"}}},
			Target: autoscalingv2.MetricTarget{Type: autoscalingv2.ValueMetricType,
				Value: ptr(resource.MustParse(target))}}}
}

func TestDecideExternalAndScaleToZero(t *testing.T) {
	hpa := newHPA(0, 10, externalValue("10"))
	in := decideInput(hpa, 2, pods(2), nil)

	// 30 + 20 = 50 of 10 → 5; 2 pods ready → ceil(5 × 2) = 10
	in.Source = valueSource{external: []int64{30000, 20000}}
	d := Decide(in)
	desc := "external metric queue(&LabelSelector{MatchLabels:map[string]string{q: jobs,}," +
		"MatchExpressions:[]LabelSelectorRequirement{},})"
	if d.Metrics[0].Proposal != 10 || d.Metrics[0].Description != desc || d.Desired != 4 {
		t.Fatalf("external: proposal %d %q desired %d", d.Metrics[0].Proposal,
			d.Metrics[0].Description, d.Desired)
	}

	// value 0 → ratio 0 → ceil(0 × 2) = 0; min 0 → scale to zero
	in.Source = valueSource{external: []int64{0}}
	d = Decide(in)
	if d.Desired != 0 || d.RescaleReason != "All metrics below target" {
		t.Fatalf("to zero: desired %d reason %q", d.Desired, d.RescaleReason)
	}
	assertCondition(t, d, autoscalingv2.ScaledToZero, corev1.ConditionTrue, "ScaledToZero",
		"the HPA controller scaled the workload to zero")

	// back from zero (ScaledToZero=True): 25/10 → ceil(2.5) = 3
	hpa.Status.Conditions = []autoscalingv2.HorizontalPodAutoscalerCondition{{
		Type: autoscalingv2.ScaledToZero, Status: corev1.ConditionTrue}}
	in = decideInput(hpa, 0, nil, nil)
	in.Source = valueSource{external: []int64{25000}}
	d = Decide(in)
	if d.Stage != StageNormalized || d.Desired != 3 || d.RescaleReason != desc+" above target" {
		t.Fatalf("from zero: stage %s desired %d reason %q", d.Stage, d.Desired,
			d.RescaleReason)
	}
}

// Object metrics: Value uses Running+Ready pods; AverageValue uses status.replicas.
func TestDecideObjectMetrics(t *testing.T) {
	obj := autoscalingv2.CrossVersionObjectReference{Kind: "Service", Name: "web"}
	value := autoscalingv2.MetricSpec{Type: autoscalingv2.ObjectMetricSourceType,
		Object: &autoscalingv2.ObjectMetricSource{DescribedObject: obj,
			Metric: autoscalingv2.MetricIdentifier{Name: "rps"},
			Target: autoscalingv2.MetricTarget{Type: autoscalingv2.ValueMetricType,
				Value: ptr(resource.MustParse("100"))}}}
	avg := value
	avg.Object = value.Object.DeepCopy()
	avg.Object.Target = autoscalingv2.MetricTarget{Type: autoscalingv2.AverageValueMetricType,
		AverageValue: ptr(resource.MustParse("50"))}

	in := decideInput(newHPA(1, 10, value, avg), 3, pods(3), nil)
	in.Scale.StatusReplicas = 4
	in.Source = valueSource{object: 200000}
	d := Decide(in)
	// Value: 200/100 = 2 → ceil(2 × 3 ready) = 6. AverageValue: 200/(50 × 4) = 1 → keep 4
	if d.Metrics[0].Proposal != 6 || d.Metrics[1].Proposal != 4 ||
		d.Metrics[0].Description != "Service metric rps" ||
		d.Metrics[1].Description != "external metric rps(nil)" {
		t.Fatalf("object proposals %+v / %+v", d.Metrics[0], d.Metrics[1])
	}
	if d.Metrics[1].Value.Status != 50000 {
		t.Errorf("average status %d, want 50000", d.Metrics[1].Value.Status)
	}
}

// A metric that was not gathered is left out and makes the decision uncertain.
func TestDecideNotObserved(t *testing.T) {
	pm := autoscalingv2.MetricSpec{Type: autoscalingv2.PodsMetricSourceType,
		Pods: &autoscalingv2.PodsMetricSource{
			Metric: autoscalingv2.MetricIdentifier{Name: "connections"},
			Target: autoscalingv2.MetricTarget{Type: autoscalingv2.AverageValueMetricType,
				AverageValue: ptr(resource.MustParse("100"))}}}
	hpa := newHPA(1, 10, utilizationMetric("cpu", 70), pm)
	d := Decide(decideInput(hpa, 2, pods(2), cpuMetrics("p-0", "70m", "p-1", "70m")))

	if !d.Metrics[1].NotObserved || d.Combination.Unobserved != 1 || len(d.Uncertain) == 0 {
		t.Fatalf("not observed: %+v uncertain %v", d.Metrics[1], d.Uncertain)
	}
	if d.Desired != 2 || hasEvent(d, "FailedGetPodsMetric", d.Metrics[1].EventMessage) {
		t.Errorf("desired %d events %+v", d.Desired, d.Events)
	}
}

// Per-HPA tolerances replace the flag's in their direction only.
func TestDecideBehaviorTolerance(t *testing.T) {
	hpa := newHPA(1, 20, utilizationMetric("cpu", 100))
	hpa.Spec.Behavior = &autoscalingv2.HorizontalPodAutoscalerBehavior{
		ScaleDown: &autoscalingv2.HPAScalingRules{Tolerance: ptr(resource.MustParse("0.2")),
			StabilizationWindowSeconds: ptr(int32(0))},
		ScaleUp: &autoscalingv2.HPAScalingRules{Tolerance: ptr(resource.MustParse("0.05"))},
	}
	// 10 pods at 85m: 0.85 ≥ 1 − 0.2 → keep 10
	d := Decide(decideInput(hpa, 10, pods(10), uniformCPU(10, "85m")))
	if d.Desired != 10 || d.Metrics[0].Pods.Path != PathWithinTolerance ||
		hasAssumption(d, KnobTolerance) {
		t.Errorf("down tolerance: desired %d path %s", d.Desired, d.Metrics[0].Pods.Path)
	}
	// 10 pods at 106m: 1.06 > 1 + 0.05 → ceil(10.6) = 11
	d = Decide(decideInput(hpa, 10, pods(10), uniformCPU(10, "106m")))
	if d.Desired != 11 {
		t.Errorf("up tolerance: desired %d", d.Desired)
	}
}

func uniformCPU(n int, cpu string) []resourcemetrics.PodMetrics {
	var kv []string
	for i := range n {
		kv = append(kv, fmt.Sprintf("p-%d", i), cpu)
	}
	return cpuMetrics(kv...)
}
