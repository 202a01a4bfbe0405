package cluster

import (
	"testing"

	"github.com/stretchr/testify/assert"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
)

func TestWithoutEnv(t *testing.T) {
	env := []string{"KWOK_RUNTIME=docker", "KUBECONFIG=/x", "HOME=/root", "KWOKISH=1", "PATH=/bin"}
	assert.Equal(t, []string{"HOME=/root", "PATH=/bin"},
		withoutEnv(env, "KWOK", "KUBECONFIG="))
}

func TestDescribeHPA(t *testing.T) {
	assert.Equal(t, "<never read>", DescribeHPA(nil))

	util := int32(257)
	hpa := &autoscalingv2.HorizontalPodAutoscaler{Status: autoscalingv2.HorizontalPodAutoscalerStatus{
		CurrentReplicas: 2, DesiredReplicas: 6,
		CurrentMetrics: []autoscalingv2.MetricStatus{{
			Type: autoscalingv2.ResourceMetricSourceType,
			Resource: &autoscalingv2.ResourceMetricStatus{
				Name:    corev1.ResourceCPU,
				Current: autoscalingv2.MetricValueStatus{AverageUtilization: &util},
			},
		}},
		Conditions: []autoscalingv2.HorizontalPodAutoscalerCondition{{
			Type: autoscalingv2.AbleToScale, Status: corev1.ConditionTrue,
			Reason: "SucceededRescale", Message: "the HPA controller was able to update the target scale to 6",
		}},
	}}
	assert.Equal(t, "replicas current=2 desired=6 cpu=257%\n"+
		"  AbleToScale=True SucceededRescale: the HPA controller was able to update the target scale to 6",
		DescribeHPA(hpa))
}
