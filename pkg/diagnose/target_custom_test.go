package diagnose

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
)

// customTargetSnapshot is one HPA over a target of kind, with the scale Gather read for it
// and a pod that the target's selector may or may not pick.
func customTargetSnapshot(apiVersion, kind string, scale snapshot.Scale) *snapshot.Snapshot {
	hpa := autoscalingv2.HorizontalPodAutoscaler{
		ObjectMeta: metav1.ObjectMeta{Name: "lonely", Namespace: "shop"},
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{MaxReplicas: 3,
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: apiVersion,
				Kind: kind, Name: "lonely"}},
	}
	pod := corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "web-1", Namespace: "shop",
		Labels: map[string]string{"app": "web"}}}
	key := snapshot.KeyOf(&hpa)
	return &snapshot.Snapshot{Taken: fixtureNow, Scope: snapshot.Scope{Namespace: "shop"},
		HPAs: []autoscalingv2.HorizontalPodAutoscaler{hpa}, Pods: []corev1.Pod{pod},
		Scales: map[snapshot.TargetKey]snapshot.Scale{key: scale}}
}

func TestCustomTargetWhoseSelectorMatchesNothing(t *testing.T) {
	snap := customTargetSnapshot("example.com/v1", "Widget",
		snapshot.Scale{SpecReplicas: 2, StatusReplicas: 2, Selector: "app=matches-nothing"})

	report := DefaultRegistry().Run(CheckContext{Now: fixtureNow}, snap)

	f := requireFinding(t, report, idTargetSelector)
	assert.Equal(t, Error, f.Severity)
	assert.Equal(t, "the selector of target Widget lonely matches no pod, though it reports 2 "+
		"replicas: the HPA has nothing to measure and never scales", f.Message)
	assertEvidence(t, f, "selector app=matches-nothing matches no pod in namespace shop")
}

func TestCustomTargetThatPicksItsPodsIsFine(t *testing.T) {
	snap := customTargetSnapshot("example.com/v1", "Widget",
		snapshot.Scale{SpecReplicas: 1, StatusReplicas: 1, Selector: "app=web"})

	report := DefaultRegistry().Run(CheckContext{Now: fixtureNow}, snap)

	for _, f := range report.Findings {
		assert.NotEqual(t, idTargetSelector, f.ID, f.Message)
	}
}

func TestTargetKindWithoutScaleSubresource(t *testing.T) {
	err := fmt.Errorf("daemonsets.apps: %w (the API server answers %q)", snapshot.ErrNoScale,
		"the server could not find the requested resource")
	snap := customTargetSnapshot("apps/v1", "DaemonSet", snapshot.Scale{Err: err})

	report := DefaultRegistry().Run(CheckContext{Now: fixtureNow}, snap)

	f := requireFinding(t, report, idTargetExists)
	assert.Equal(t, Error, f.Severity)
	assert.Equal(t, "target DaemonSet lonely has no scale subresource: no HPA can scale a "+
		"DaemonSet", f.Message)
	assert.NotContains(t, f.Message, "does not exist")
	assert.Contains(t, f.Remediation, "Deployment, StatefulSet or ReplicaSet")
}
