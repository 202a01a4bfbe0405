package metrics

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
)

func TestTargetTheUserMayNotReadIsNotAControllerFailure(t *testing.T) {
	hpa := autoscalingv2.HorizontalPodAutoscaler{
		ObjectMeta: metav1.ObjectMeta{Name: "cms", Namespace: "shop"},
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{MaxReplicas: 10,
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1",
				Kind: "Deployment", Name: "cms"}},
		Status: autoscalingv2.HorizontalPodAutoscalerStatus{CurrentReplicas: 3},
	}
	denied := errors.New(`deployments.apps is forbidden: User "reader" cannot list resource`)
	snap := &snapshot.Snapshot{HPAs: []autoscalingv2.HorizontalPodAutoscaler{hpa},
		Gaps: []snapshot.Gap{{Verb: "list", Resource: snapshot.ResDeployments,
			Namespace: "shop", Forbidden: true, Err: denied}}}

	d := Decide(InputFromSnapshot(snap, &snap.HPAs[0], Settings{}))

	assert.Equal(t, StageScale, d.Stage)
	assert.Equal(t, int32(3), d.Current, "the HPA's status, not a made-up zero")
	assert.Empty(t, d.Conditions, "the controller reads the scale with its own rights")
	assert.Empty(t, d.Events)
	require.Len(t, d.Steps, 1)
	assert.Equal(t, "NotObserved", d.Steps[0].Reason)
	assert.Contains(t, d.Steps[0].Detail,
		"missing permission: list deployments.apps in namespace shop")
}

func TestMissingTargetIsStillAControllerFailure(t *testing.T) {
	hpa := autoscalingv2.HorizontalPodAutoscaler{
		ObjectMeta: metav1.ObjectMeta{Name: "cms", Namespace: "shop"},
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{MaxReplicas: 10,
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1",
				Kind: "Deployment", Name: "cms"}},
	}
	snap := &snapshot.Snapshot{HPAs: []autoscalingv2.HorizontalPodAutoscaler{hpa}}

	d := Decide(InputFromSnapshot(snap, &snap.HPAs[0], Settings{}))

	require.Len(t, d.Steps, 1)
	assert.Equal(t, "FailedGetScale", d.Steps[0].Reason)
	assert.Contains(t, d.Steps[0].Detail, `deployments.apps "cms" not found`)
}
