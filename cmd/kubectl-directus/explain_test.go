package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	resourcemetrics "k8s.io/metrics/pkg/apis/metrics/v1beta1"

	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
)

var taken = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// cmsSnapshot is namespace cms with Deployment directus (2 replicas, 100m cpu requested per
// pod, using 181m each) and its HPA at 70 % cpu, min 1, max 10, no behavior.
func cmsSnapshot() *snapshot.Snapshot {
	labels := map[string]string{"app": "directus"}
	target := int32(70)
	snap := &snapshot.Snapshot{Taken: taken,
		HPAs: []autoscalingv2.HorizontalPodAutoscaler{{
			ObjectMeta: metav1.ObjectMeta{Name: "directus", Namespace: "cms",
				CreationTimestamp: metav1.NewTime(taken.Add(-time.Minute))},
			Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
				ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{
					APIVersion: "apps/v1", Kind: "Deployment", Name: "directus"},
				MinReplicas: &[]int32{1}[0], MaxReplicas: 10,
				Metrics: []autoscalingv2.MetricSpec{{Type: autoscalingv2.ResourceMetricSourceType,
					Resource: &autoscalingv2.ResourceMetricSource{Name: corev1.ResourceCPU,
						Target: autoscalingv2.MetricTarget{Type: autoscalingv2.UtilizationMetricType,
							AverageUtilization: &target}}}},
			},
		}},
		Deployments: []appsv1.Deployment{{
			ObjectMeta: metav1.ObjectMeta{Name: "directus", Namespace: "cms"},
			Spec: appsv1.DeploymentSpec{Replicas: &[]int32{2}[0],
				Selector: &metav1.LabelSelector{MatchLabels: labels}},
			Status: appsv1.DeploymentStatus{Replicas: 2},
		}},
	}
	for _, name := range []string{"directus-a", "directus-b"} {
		snap.Pods = append(snap.Pods, runningPod(name, labels))
		snap.PodMetrics = append(snap.PodMetrics, resourcemetrics.PodMetrics{
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "cms", Labels: labels},
			Timestamp:  metav1.NewTime(taken.Add(-10 * time.Second)),
			Containers: []resourcemetrics.ContainerMetrics{{Name: "directus",
				Usage: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("181m")}}},
		})
	}
	return snap
}

func runningPod(name string, labels map[string]string) corev1.Pod {
	start := metav1.NewTime(taken.Add(-time.Hour))
	return corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "cms", Labels: labels},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "directus",
			Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{
				corev1.ResourceCPU: resource.MustParse("100m")}}}}},
		Status: corev1.PodStatus{Phase: corev1.PodRunning, StartTime: &start,
			Conditions: []corev1.PodCondition{{Type: corev1.PodReady,
				Status: corev1.ConditionTrue, LastTransitionTime: start}}},
	}
}

// runExplain runs `explain args…` under a root with kubectl's flags, on snap.
func runExplain(t *testing.T, snap *snapshot.Snapshot, args ...string) (string, string, error) {
	t.Helper()
	streams, _, out, errOut := genericiooptions.NewTestIOStreams()
	flags := genericclioptions.NewConfigFlags(false)
	o := newExplainOptions(streams, flags)
	var scopes []snapshot.Scope
	o.gather = func(_ context.Context, scope snapshot.Scope) (*snapshot.Snapshot, error) {
		scopes = append(scopes, scope)
		return snap, nil
	}

	root := &cobra.Command{Use: "kubectl-directus", SilenceUsage: true, SilenceErrors: true}
	flags.AddFlags(root.PersistentFlags())
	root.AddCommand(newCmdExplain(streams, flags, o))
	root.SetArgs(append([]string{"explain"}, args...))
	root.SetOut(out)
	root.SetErr(errOut)
	err := root.Execute()
	if err == nil && (len(scopes) != 1 || scopes[0].Namespace != "cms") {
		t.Errorf("gathered %+v, want one read of namespace cms", scopes)
	}
	return out.String(), errOut.String(), err
}

func TestExplainPrintsTheChain(t *testing.T) {
	out, errOut, err := runExplain(t, cmsSnapshot(), "directus", "-n", "cms")
	if err != nil {
		t.Fatal(err)
	}
	// 362m of 200m = 181% → 2.586 → ceil(5.17) = 6 → capped at max(2 × 2, 4) = 4
	for _, want := range []string{
		"HPA cms/directus at 2026-03-01T12:00:00Z\n",
		"  [1] cpu, target 70% of request: proposes 6\n",
		"      utilization 181% = 362m used of 200m requested (truncated); ratio 2.586\n",
		"Result: scale from 2 to 4 replicas (cpu resource utilization (percentage of request) " +
			"above target)\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if errOut != "" {
		t.Errorf("stderr not empty: %q", errOut)
	}
}

func TestExplainWhatIf(t *testing.T) {
	out, _, err := runExplain(t, cmsSnapshot(), "directus", "-n", "cms", "-o", "json",
		"--cpu", "50%", "--usage", "directus-a=300m", "--replicas", "3")
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Current int32    `json:"current"`
		Desired int32    `json:"desired"`
		WhatIf  []string `json:"whatIf"`
	}
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	// pods at 50% (50m) then directus-a at 300m: 350m of 200m = 175% → 2.5 → ceil(5) = 5;
	// from 3 replicas the cap is 6
	if d.Current != 3 || d.Desired != 5 || len(d.WhatIf) != 3 {
		t.Errorf("what-if decision: %+v", d)
	}
}

func TestExplainErrors(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no name", []string{"-n", "cms"}, "explain needs exactly one HPA name, got 0"},
		{"two names", []string{"a", "b", "-n", "cms"}, "explain needs exactly one HPA name, got 2"},
		{"bad cpu", []string{"directus", "-n", "cms", "--cpu", "lots"},
			`invalid --cpu "lots": want a percentage of the cpu request from 0 to 100000, ` +
				`such as 150%`},
		{"negative memory", []string{"directus", "-n", "cms", "--memory", "-5%"},
			`invalid --memory "-5%": want a percentage of the memory request`},
		{"cpu beyond int32", []string{"directus", "-n", "cms", "--cpu", "99999999999%"},
			`invalid --cpu "99999999999%": want a percentage of the cpu request from 0 to 100000`},
		{"usage without pod", []string{"directus", "-n", "cms", "--usage", "250m"},
			`invalid --usage "250m": want POD=CPU with CPU from 0 to 10000 cores, such as ` +
				`directus-7d9f-abcde=250m`},
		{"usage beyond int64 millicores", []string{"directus", "-n", "cms", "--usage",
			"directus-1=1e100"}, `invalid --usage "directus-1=1e100": want POD=CPU with CPU ` +
			`from 0 to 10000 cores`},
		{"usage with a bad quantity", []string{"directus", "-n", "cms", "--usage", "a=fast"},
			`invalid --usage "a=fast": want POD=CPU`},
		{"usage twice", []string{"directus", "-n", "cms", "--usage", "a=1", "--usage", "a=2"},
			`--usage names pod "a" twice`},
		{"negative replicas", []string{"directus", "-n", "cms", "--replicas", "-1"},
			"invalid --replicas -1: want 0 or more"},
		{"bad output", []string{"directus", "-n", "cms", "-o", "wide"},
			`invalid --output "wide": use one of text, json, yaml`},
		{"unknown HPA", []string{"web", "-n", "cms"},
			`horizontalpodautoscaler "web" not found in namespace "cms" (list them with ` +
				`kubectl get hpa -n cms)`},
		{"usage of a pod the HPA does not count", []string{"directus", "-n", "cms",
			"--usage", "other=1"}, `--usage: pod "other" is not one of the 2 pods the HPA ` +
			`counts (selector app=directus)`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, _, err := runExplain(t, cmsSnapshot(), tc.args...)
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("error = %v, want it to start with %q", err, tc.want)
			}
			if out != "" {
				t.Errorf("stdout not empty on error: %q", out)
			}
		})
	}
}
