package metrics

import (
	"reflect"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// Each case applies the controller's pod rules by hand: deleted/failed are ignored; Pending
// is unready; no sample is missing; non-cpu is counted without looking at readiness; cpu
// needs a Ready condition and a start time; young pods (started less than 5 m ago) count only
// when Ready and sampled one window after turning Ready; older pods are left out only when
// not Ready and they turned NotReady within 30 s of starting (never Ready).
func TestGroupPodsRules(t *testing.T) {
	cases := []struct {
		name      string
		pod       *corev1.Pod
		resource  corev1.ResourceName
		sample    *Sample
		treatment Treatment
		reason    PodReason
	}{
		{"deleted pod is dropped even with a sample", newPod("p", deleting()), "cpu",
			ptr(sample(50)), Ignored, ReasonDeleted},
		{"failed pod is dropped", newPod("p", phase(corev1.PodFailed)), "cpu",
			ptr(sample(50)), Ignored, ReasonFailed},
		{"deletion wins over Pending (first rule first)",
			newPod("p", deleting(), phase(corev1.PodPending)), "cpu", nil, Ignored,
			ReasonDeleted},
		{"pending pod is unready even with a sample", newPod("p", phase(corev1.PodPending)),
			"memory", ptr(sample(50)), Unready, ReasonPending},
		{"running pod without sample is missing", newPod("p"), "cpu", nil, Missing,
			ReasonNoSample},
		{"memory ignores readiness: NotReady pod counted",
			newPod("p", ready(corev1.ConditionFalse, time.Minute)), "memory",
			ptr(sample(50)), Counted, ReasonReadinessNotChecked},
		{"custom metric (no resource) ignores readiness", newPod("p", noReadyCondition()), "",
			ptr(sample(50)), Counted, ReasonReadinessNotChecked},
		{"succeeded pod with a sample is counted", newPod("p", phase(corev1.PodSucceeded)),
			"memory", ptr(sample(50)), Counted, ReasonReadinessNotChecked},
		{"cpu without Ready condition is unready", newPod("p", noReadyCondition()), "cpu",
			ptr(sample(50)), Unready, ReasonNoReadyCondition},
		{"cpu without start time is unready", newPod("p", noStartTime()), "cpu",
			ptr(sample(50)), Unready, ReasonNoStartTime},
		// started 2m ago (< 5m): Ready=False → unready
		{"young NotReady pod is unready",
			newPod("p", startedAgo(2*time.Minute), ready(corev1.ConditionFalse, time.Minute)),
			"cpu", ptr(sample(50)), Unready, ReasonInitializingNotReady},
		// Ready since 60s ago; sample at now−10s; now−10s < now−60s+30s = now−30s? no → counted
		{"young pod Ready a window before its sample is counted",
			newPod("p", startedAgo(2*time.Minute), ready(corev1.ConditionTrue, time.Minute)),
			"cpu", ptr(sample(50)), Counted, ReasonReady},
		// Ready since 20s ago; now−10s < now−20s+30s = now+10s → unready
		{"young pod sampled within a window of turning Ready is unready",
			newPod("p", startedAgo(2*time.Minute),
				ready(corev1.ConditionTrue, 20*time.Second)),
			"cpu", ptr(sample(50)), Unready, ReasonSampleBeforeReady},
		// Ready=Unknown is not False: only the sample age counts (now−10s ≥ now−50s+30s)
		{"young pod with Ready=Unknown is judged by the sample age",
			newPod("p", startedAgo(time.Minute), ready(corev1.ConditionUnknown, 50*time.Second)),
			"cpu", ptr(sample(50)), Counted, ReasonReady},
		// started 10m ago, NotReady since start+10s: start+30s after transition → never ready
		{"old pod that never became Ready is unready",
			newPod("p", startedAgo(10*time.Minute),
				ready(corev1.ConditionFalse, 10*time.Minute-10*time.Second)),
			"cpu", ptr(sample(50)), Unready, ReasonNeverReady},
		// NotReady since start+5m: it was Ready before, so its sample counts
		{"old pod that was Ready once is counted while NotReady",
			newPod("p", startedAgo(10*time.Minute), ready(corev1.ConditionFalse, 5*time.Minute)),
			"cpu", ptr(sample(50)), Counted, ReasonReadyAfterInit},
		// NotReady exactly start+30s: start+30s is not after the transition → counted
		{"transition exactly at the readiness delay counts as having been Ready",
			newPod("p", startedAgo(10*time.Minute),
				ready(corev1.ConditionFalse, 10*time.Minute-30*time.Second)),
			"cpu", ptr(sample(50)), Counted, ReasonReadyAfterInit},
		// started exactly 5m ago: start+5m is not after now → the older-pod rule applies
		{"pod exactly at the end of the initialization period uses the older-pod rule",
			newPod("p", startedAgo(5*time.Minute), ready(corev1.ConditionTrue, time.Second)),
			"cpu", ptr(sample(50)), Counted, ReasonReadyAfterInit},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := Samples{}
			if tc.sample != nil {
				s[tc.pod.Name] = *tc.sample
			}
			g := GroupPods([]*corev1.Pod{tc.pod}, s, tc.resource, Settings{}, now)
			got := g.Pods[0]
			if got.Treatment != tc.treatment || got.Reason != tc.reason {
				t.Fatalf("got %s/%s, want %s/%s", got.Treatment, got.Reason, tc.treatment,
					tc.reason)
			}
			if got.Reason.Explain() == string(got.Reason) {
				t.Errorf("reason %s has no explanation", got.Reason)
			}
		})
	}
}

// A shorter initialization period (a non-default flag) turns a 2-minute-old pod into an
// older pod: Ready=True counts regardless of the sample's age.
func TestGroupPodsHonoursSettings(t *testing.T) {
	pod := newPod("p", startedAgo(2*time.Minute), ready(corev1.ConditionTrue, 20*time.Second))
	s := Samples{"p": sample(50)}

	g := GroupPods([]*corev1.Pod{pod}, s, "cpu",
		Settings{CPUInitializationPeriod: time.Minute}, now)
	if g.Pods[0].Treatment != Counted {
		t.Fatalf("with a 1m initialization period got %s, want counted", g.Pods[0].Treatment)
	}
}

func TestGroupPodsCountsAndExtras(t *testing.T) {
	pods := []*corev1.Pod{
		newPod("a"), newPod("b"), newPod("c", phase(corev1.PodPending)),
		newPod("d", phase(corev1.PodFailed)), newPod("e"),
	}
	s := samples("a", 10, "b", 20, "c", 30, "ghost-2", 5, "ghost-1", 7)

	g := GroupPods(pods, s, "cpu", Settings{}, now)
	got := [4]int{g.Counted, g.Unready, g.Missing, g.Ignored}
	if got != [4]int{2, 1, 1, 1} {
		t.Errorf("counted/unready/missing/ignored = %v, want [2 1 1 1]", got)
	}
	if want := []string{"ghost-1", "ghost-2"}; !reflect.DeepEqual(g.Extra, want) {
		t.Errorf("extra = %v, want %v", g.Extra, want)
	}
	if g.Pods[0].Sample.Value != 10 || !g.Pods[0].HasSample || g.Pods[4].HasSample {
		t.Errorf("samples not carried into the views: %+v", g.Pods)
	}
}

func TestSelectPods(t *testing.T) {
	pods := []*corev1.Pod{newPod("a"), newPod("b", withLabels("app", "other")), newPod("c")}

	got, _, err := SelectPods(pods, "app=directus")
	if err != nil || len(got) != 2 || got[0].Name != "a" || got[1].Name != "c" {
		t.Fatalf("SelectPods = %v, %v; want a and c", got, err)
	}
	if _, _, err := SelectPods(pods, ""); err == nil || err.Error() != "selector is required" {
		t.Errorf("empty selector error = %v", err)
	}
	_, _, err = SelectPods(pods, "app in (")
	if err == nil || !startsWith(err.Error(),
		"couldn't convert selector into a corresponding internal selector object: ") {
		t.Errorf("bad selector error = %v", err)
	}
}

func startsWith(s, prefix string) bool { return len(s) >= len(prefix) && s[:len(prefix)] == prefix }
