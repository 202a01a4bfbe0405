package main

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/rest"
	aggregatorfake "k8s.io/kube-aggregator/pkg/client/clientset_generated/clientset/fake"
	metricsfake "k8s.io/metrics/pkg/client/clientset/versioned/fake"

	"github.com/kubectl-directus/kubectl-directus/pkg/diagnose"
	"github.com/kubectl-directus/kubectl-directus/pkg/kube"
)

// doctorWorld is a namespace with one HPA over a Deployment whose container has no requests.
func doctorWorld(withHPA bool) []runtime.Object {
	labels := map[string]string{"app": "cms"}
	replicas := int32(2)
	objs := []runtime.Object{
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "shop"}},
		&appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "cms", Namespace: "shop"},
			Spec: appsv1.DeploymentSpec{Replicas: &replicas,
				Selector: &metav1.LabelSelector{MatchLabels: labels},
				Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels},
					Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "directus"}}}}}},
	}
	if withHPA {
		objs = append(objs, &autoscalingv2.HorizontalPodAutoscaler{
			ObjectMeta: metav1.ObjectMeta{Name: "cms", Namespace: "shop",
				CreationTimestamp: metav1.NewTime(time.Now().Add(-time.Minute))},
			Spec: autoscalingv2.HorizontalPodAutoscalerSpec{MaxReplicas: 10,
				ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1",
					Kind: "Deployment", Name: "cms"}}})
	}
	return objs
}

func doctorRun(t *testing.T, objs []runtime.Object, args ...string) (string, string, error) {
	t.Helper()
	streams, _, out, errOut := genericiooptions.NewTestIOStreams()
	opts := newDoctorOptions(streams)
	opts.clients = &kube.Clients{Kube: fake.NewClientset(objs...),
		Metrics: metricsfake.NewSimpleClientset(), Aggregator: aggregatorfake.NewClientset(),
		Config: &rest.Config{Host: "https://127.0.0.1:6443"}, Requests: kube.NewRequestCounter()}
	opts.clients.Discovery = opts.clients.Kube.Discovery()

	flags := genericclioptions.NewConfigFlags(false)
	cmd := newCmdDoctor(streams, flags, opts)
	flags.AddFlags(cmd.Flags())
	cmd.SetArgs(append(args, "-n", "shop"))
	cmd.SetContext(context.Background())
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	err := cmd.Execute()
	return out.String(), errOut.String(), err
}

func TestDoctorExitsTwoOnErrors(t *testing.T) {
	out, _, err := doctorRun(t, doctorWorld(true))

	var exit *exitError
	require.True(t, errors.As(err, &exit), "err = %v", err)
	assert.Equal(t, exitFindings, exit.code)
	assert.Contains(t, out, "HPA-REQ-001")
	assert.Contains(t, out, "container directus: no request for cpu")
}

func TestDoctorExitZero(t *testing.T) {
	_, _, err := doctorRun(t, doctorWorld(true), "--exit-zero")
	assert.NoError(t, err)
}

func TestDoctorJSONIsTheReport(t *testing.T) {
	out, _, _ := doctorRun(t, doctorWorld(true), "cms", "-o", "json", "--severity", "error")

	var report diagnose.Report
	require.NoError(t, json.Unmarshal([]byte(out), &report))
	assert.Equal(t, 1, report.Summary.HPAs)
	assert.NotEmpty(t, report.Findings)
	for _, f := range report.Findings {
		assert.Equal(t, diagnose.Error, f.Severity, f.ID)
	}
	assert.NotEmpty(t, report.Checked)
}

func TestDoctorNoHPANoticeOnStderr(t *testing.T) {
	out, errOut, err := doctorRun(t, doctorWorld(false), "--exit-zero")

	require.NoError(t, err)
	assert.Contains(t, errOut, "No HorizontalPodAutoscaler in namespace shop")
	assert.Contains(t, out, "Status:")
	assert.NotContains(t, out, "No HorizontalPodAutoscaler")
}

func TestDoctorUnknownHPA(t *testing.T) {
	_, _, err := doctorRun(t, doctorWorld(true), "nope")

	require.Error(t, err)
	assert.Contains(t, err.Error(), `"nope" not found in namespace shop`)
}

func TestDoctorValidate(t *testing.T) {
	cases := map[string]struct {
		opts doctorOptions
		want string
	}{
		"format":   {doctorOptions{output: "xml", severity: "info"}, "--output \"xml\""},
		"severity": {doctorOptions{output: "json", severity: "fatal"}, "--severity \"fatal\""},
		"ok level": {doctorOptions{output: "json", severity: "ok"}, "--severity \"ok\""},
		"name -A": {doctorOptions{output: "table", severity: "info", allNamespaces: true,
			hpaName: "cms"}, "drop -A"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			err := c.opts.Validate()
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
	good := doctorOptions{output: "yaml", severity: "warning"}
	require.NoError(t, good.Validate())
	assert.Equal(t, diagnose.Warning, good.minSeverity)
}
