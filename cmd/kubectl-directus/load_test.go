package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/utils/ptr"

	"github.com/kubectl-directus/kubectl-directus/pkg/load"
)

// runLoad executes "load args..." with a fake clientset holding objects, in namespace web.
func runLoad(t *testing.T, objects []runtime.Object, args ...string) (string, string, error) {
	t.Helper()
	streams, _, out, errOut := genericiooptions.NewTestIOStreams()
	flags := genericclioptions.NewConfigFlags(false)
	flags.Namespace = ptr.To("web")
	o := newLoadOptions(streams, flags)
	o.client = fake.NewClientset(objects...)

	cmd := newCmdLoad(streams, flags, o)
	cmd.SetArgs(args)
	cmd.SetOut(out)
	cmd.SetErr(errOut)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err := cmd.ExecuteContext(t.Context())
	return out.String(), errOut.String(), err
}

func TestLoadRefusesBadFlags(t *testing.T) {
	cases := map[string]struct {
		args []string
		want string
	}{
		"no bound":      {[]string{}, "no --duration and no --requests"},
		"both bounds":   {[]string{"-d", "1m", "--requests", "100"}, "cannot be combined"},
		"concurrency 0": {[]string{"-d", "1m", "-c", "0"}, "--concurrency 0 is invalid"},
		"negative":      {[]string{"--requests", "-5"}, "must not be negative"},
		"few requests":  {[]string{"--requests", "10"}, "below --concurrency 50"},
		"unknown tool":  {[]string{"-d", "1m", "--tool", "curl"}, `unknown tool "curl"`},
		"hey rounding":  {[]string{"--tool", "hey", "--requests", "120"}, "multiple of 50"},
		"bad url":       {[]string{"-d", "1m", "--url", "directus:8055"}, "--url: invalid URL"},
		"local no url":  {[]string{"-d", "1m", "--local"}, "--local needs --url"},
		"local image": {[]string{"-d", "1m", "--local", "--url", "http://127.0.0.1/",
			"--image", "x"}, "--image, --tool and --start-timeout apply to the in-cluster"},
		"local tool": {[]string{"-d", "1m", "--local", "--url", "http://127.0.0.1/",
			"--tool", "ab"}, "drop them with --local"},
		"scale-down without observing": {[]string{"-d", "1m", "--local", "--url",
			"http://127.0.0.1/", "--observe=false", "--observe-scale-down"},
			"--observe=false turns off"},
		"cleanup with a run flag": {[]string{"--cleanup", "--duration", "1m"},
			"--duration does not apply to --cleanup"},
		"cleanup with a name": {[]string{"--cleanup", "web"}, `drop NAME "web"`},
		"observe off":         {[]string{"-d", "1m", "--observe=false"}, "only applies to --local"},
		"output":              {[]string{"-d", "1m", "-o", "wide"}, `unknown output format "wide"`},
		"interval":            {[]string{"-d", "1m", "--interval", "10ms"}, "--interval 10ms is too short"},
		"short duration":      {[]string{"-d", "10ms"}, "give at least 1s"},
		"all namespaces":      {[]string{"-d", "1m", "-A"}, "only applies to --cleanup"},
		"too many args":       {[]string{"a", "b", "-d", "1m"}, "accepts at most 1 arg"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, _, err := runLoad(t, nil, tc.args...)
			assert.ErrorContains(t, err, tc.want)
		})
	}
}

func TestLoadRefusesNamespaceWithoutDeployment(t *testing.T) {
	_, _, err := runLoad(t, nil, "-d", "1m")
	require.Error(t, err)
	assert.Equal(t, `no Deployment "directus-directus" in namespace "web": deploy Directus `+
		`there with "kubectl directus deploy directus -n web", or name the namespace that `+
		`runs it with -n and the release as NAME`, err.Error())
}

func TestLoadRefusesDeploymentWithoutHPA(t *testing.T) {
	_, _, err := runLoad(t, []runtime.Object{directusDeployment()}, "-d", "1m")
	assert.ErrorContains(t, err, `no HorizontalPodAutoscaler in namespace "web" scales `+
		`Deployment "directus-directus"`)
}

func TestLoadRefusesMissingService(t *testing.T) {
	_, _, err := runLoad(t, []runtime.Object{directusDeployment(), directusHPA()}, "-d", "1m")
	assert.ErrorContains(t, err, `no Service "directus-directus" in namespace "web"`)
}

func directusDeployment() *appsv1.Deployment {
	return &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "directus-directus",
		Namespace: "web"}, Status: appsv1.DeploymentStatus{ReadyReplicas: 2}}
}

func directusHPA() *autoscalingv2.HorizontalPodAutoscaler {
	return &autoscalingv2.HorizontalPodAutoscaler{
		ObjectMeta: metav1.ObjectMeta{Name: "directus-directus", Namespace: "web"},
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1",
				Kind: "Deployment", Name: "directus-directus"},
			MinReplicas: ptr.To[int32](2), MaxReplicas: 10,
			Metrics: []autoscalingv2.MetricSpec{{Type: autoscalingv2.ResourceMetricSourceType,
				Resource: &autoscalingv2.ResourceMetricSource{Name: corev1.ResourceCPU,
					Target: autoscalingv2.MetricTarget{Type: autoscalingv2.UtilizationMetricType,
						AverageUtilization: ptr.To[int32](70)}}}},
		},
		Status: autoscalingv2.HorizontalPodAutoscalerStatus{CurrentReplicas: 2,
			DesiredReplicas: 2},
	}
}

func TestServiceURLUsesTheHTTPPort(t *testing.T) {
	svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "r-directus", Namespace: "web"},
		Spec: corev1.ServiceSpec{Ports: []corev1.ServicePort{{Name: "metrics", Port: 9100},
			{Name: "http", Port: 8080}}}}
	o := &loadOptions{release: "r", namespace: "web", client: fake.NewClientset(svc)}

	url, err := o.serviceURL(t.Context())
	require.NoError(t, err)
	assert.Equal(t, "http://r-directus.web.svc:8080/server/ping", url)
}

// TestLoadLocalWatchesHPA runs the verb end to end in local mode against a loopback server,
// watching the (fake) HPA, and checks stdout holds the report and stderr the live view.
func TestLoadLocalWatchesHPA(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("pong"))
	}))
	defer srv.Close()

	begin := time.Now()
	out, errOut, err := runLoad(t, []runtime.Object{directusDeployment(), directusHPA()},
		"--local", "--url", srv.URL, "--duration", "2s", "-c", "3", "--interval", "1s",
		"-o", "json")
	require.NoError(t, err)
	assert.Less(t, time.Since(begin), 4*time.Second)

	var rep load.Report
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	assert.Equal(t, "local", rep.Mode)
	require.NotNil(t, rep.Local)
	assert.Positive(t, rep.Local.Requests)
	assert.Zero(t, rep.Local.Errors)
	require.NotNil(t, rep.HPA)
	assert.Equal(t, "directus-directus", rep.HPA.Name)
	assert.GreaterOrEqual(t, len(rep.Series), 2, "a baseline and a sample a second")
	assert.Contains(t, errOut, "replicas 2   ready 2   cpu <unknown>/70%")
	assert.Contains(t, errOut, "load stopped after 2s")
}

func TestLoadLocalWithoutHPA(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()

	out, _, err := runLoad(t, nil, "--local", "--observe=false", "--url", srv.URL,
		"--requests", "30", "-c", "3")
	require.NoError(t, err)
	assert.Contains(t, out, "Status codes        503: 30\n")
	assert.NotContains(t, out, "Rescales", "no HPA, no HPA sections")
}

func TestLoadCleanupRemovesOnlyLoadObjects(t *testing.T) {
	leftover := loadJob("web", "directus-load-1", "1")
	elsewhere := loadJob("other", "directus-load-2", "2")
	bootstrap := loadJob("web", "directus-bootstrap", "")
	delete(bootstrap.Labels, load.LabelRun)

	out, errOut, err := runLoad(t, []runtime.Object{leftover, elsewhere, bootstrap}, "--cleanup")
	require.NoError(t, err)
	assert.Equal(t, "job web/directus-load-1 deleted\n", out)
	assert.Empty(t, errOut)

	out, _, err = runLoad(t, []runtime.Object{leftover, elsewhere}, "--cleanup", "-A")
	require.NoError(t, err)
	assert.Contains(t, out, "job other/directus-load-2 deleted\n")

	out, errOut, err = runLoad(t, nil, "--cleanup")
	require.NoError(t, err)
	assert.Empty(t, out)
	assert.Equal(t, "no load Jobs or pods left in namespace web\n", errOut)
}

func loadJob(ns, name, runID string) *batchv1.Job {
	return &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns,
		Labels: load.RunLabels(runID)}}
}

// TestLoadLocalNothingAnswered: a server that never answers gives no rate and no latency to
// report; the run says so, keeps the report, and fails.
func TestLoadLocalNothingAnswered(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	defer srv.Close()

	out, _, err := runLoad(t, nil, "--local", "--observe=false", "--url", srv.URL,
		"--duration", "1s", "-c", "2")

	require.Error(t, err)
	assert.Equal(t, "no request to "+srv.URL+" was answered (0 errors, 2 unfinished when the "+
		"run ended): check --url and that the server answers within the run", err.Error())
	assert.Contains(t, out, "0 errors, 2 unfinished at the end")
	assert.Contains(t, out, "Latency             <none>: no request was answered")
}

func TestLoadConcurrencyIsBounded(t *testing.T) {
	_, _, err := runLoad(t, nil, "--local", "--observe=false", "--url", "http://127.0.0.1:1/",
		"--duration", "1s", "-c", "100000000")
	require.EqualError(t, err, "--concurrency 100000000 is invalid: give 1 to 10000 workers")
}
