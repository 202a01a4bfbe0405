package e2e

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
	apiregv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"

	"github.com/kubectl-directus/kubectl-directus/pkg/diagnose"
	"github.com/kubectl-directus/kubectl-directus/test/cluster"
)

// TestDoctorHealthy: the product's Deployment and HPA at 30% cpu give no warning and no
// error, and exit 0.
func TestDoctorHealthy(t *testing.T) {
	c := cluster.Shared(t)
	ns := c.Namespace(t)
	healthyCMS(t, c, ns)

	report, code := doctorRun(t, c, "-n", ns)

	assert.Equal(t, 0, code)
	assert.Empty(t, problems(report), describe(report))
	assert.Empty(t, report.CouldNotCheck)
	assert.Equal(t, 1, report.Summary.HPAs)
	assert.NotEmpty(t, report.Checked)
}

// podInMessage is the pod the controller names in "missing request for cpu in container X
// of Pod Y".
var podInMessage = regexp.MustCompile(`missing request for cpu in container (\S+) of Pod (\S+)`)

// TestDoctorPodsWithoutCPURequest (K01): the real controller's FailedGetResourceMetric names a
// pod and container; the doctor must name the same ones. Without any request the condition
// says so; with a memory request only, the memory metric carries the HPA (ValidMetricFound)
// and only the events tell, which the doctor must not miss.
func TestDoctorPodsWithoutCPURequest(t *testing.T) {
	for name, resources := range map[string]string{
		"no requests":         "{}",
		"memory request only": "{requests: {memory: 512Mi}}",
	} {
		t.Run(name, func(t *testing.T) {
			c := cluster.Shared(t)
			ns := c.Namespace(t)
			c.Apply(t, ns, cmsManifest(t, resources, "75m")+"---\n"+
				cmsHPAManifest("cms", productBehavior))
			named := waitEventMatch(t, c, ns, "FailedGetResourceMetric", podInMessage)

			report, code := doctorRun(t, c, "-n", ns)

			assert.Equal(t, 2, code)
			f := findingOf(t, report, "HPA-REQ-001")
			assert.Equal(t, diagnose.Error, f.Severity)
			assert.True(t, evidenceHas(f, "container "+named[1], "no request for cpu", named[2]),
				"the doctor must name container %s and pod %s: %v", named[1], named[2], f.Evidence)
			assert.Equal(t, resources == "{}", evidenceHas(f, "no request for cpu, memory"),
				f.Evidence)
			assert.ElementsMatch(t, []string{"HPA-REQ-001"}, problems(report))
		})
	}
}

// waitEventMatch waits for an event of that reason about HPA cms whose message matches re,
// and returns the submatches.
func waitEventMatch(t *testing.T, c *cluster.Cluster, ns, reason string, re *regexp.Regexp) []string {
	t.Helper()
	var match []string
	c.WaitFor(t, 3*time.Minute, reason+" event", func(ctx context.Context) (bool, error) {
		events, err := c.Client().CoreV1().Events(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return false, err
		}
		for _, ev := range events.Items {
			if ev.Reason == reason && ev.InvolvedObject.Name == "cms" {
				if match = re.FindStringSubmatch(ev.Message); match != nil {
					return true, nil
				}
			}
		}
		return false, nil
	})
	return match
}

// TestDoctorTwoHPAsOnOneDeployment (K13): the controller disables both with
// AmbiguousSelector; the doctor reports one error on the Deployment naming both.
func TestDoctorTwoHPAsOnOneDeployment(t *testing.T) {
	c := cluster.Shared(t)
	ns := c.Namespace(t)
	healthyCMS(t, c, ns)
	c.Apply(t, ns, cmsHPAManifest("cms-old", productBehavior))
	ambiguous := conditionIs(autoscalingv2.ScalingActive, corev1.ConditionFalse, "AmbiguousSelector")
	c.WaitHPA(t, ns, "cms", 2*time.Minute, ambiguous)
	c.WaitHPA(t, ns, "cms-old", 2*time.Minute, ambiguous)

	report, code := doctorRun(t, c, "-n", ns)

	assert.Equal(t, 2, code)
	f := findingOf(t, report, "HPA-TGT-003")
	assert.Equal(t, diagnose.Error, f.Severity)
	assert.Equal(t, diagnose.Subject{Kind: "Deployment", Namespace: ns, Name: "cms"}, f.Subject)
	assert.ElementsMatch(t, []string{ns + "/cms", ns + "/cms-old"}, f.HPAs)
	assert.True(t, evidenceHas(f, "AmbiguousSelector"), f.Evidence)
	assert.ElementsMatch(t, []string{"HPA-TGT-003"}, problems(report))
}

// TestDoctorTargetNotFound (K11): the controller writes FailedGetScale; the doctor names the
// reference and the Deployment it probably meant.
func TestDoctorTargetNotFound(t *testing.T) {
	c := cluster.Shared(t)
	ns := c.Namespace(t)
	c.Apply(t, ns, cmsManifest(t, cmsRequests, "75m"))
	hpa := cmsHPAManifest("cms", productBehavior)
	c.Apply(t, ns, strings.Replace(hpa, "kind: Deployment, name: cms}",
		"kind: Deployment, name: cms-web}", 1))
	c.WaitHPA(t, ns, "cms", 2*time.Minute,
		conditionIs(autoscalingv2.AbleToScale, corev1.ConditionFalse, "FailedGetScale"))
	waitBootstrapped(t, c, ns)

	report, code := doctorRun(t, c, "-n", ns)

	assert.Equal(t, 2, code)
	f := findingOf(t, report, "HPA-TGT-001")
	assert.True(t, evidenceHas(f, "Deployment "+ns+"/cms-web"), f.Evidence)
	assert.True(t, evidenceHas(f, "likely intended target: Deployment "+ns+"/cms"), f.Evidence)
	assert.ElementsMatch(t, []string{"HPA-TGT-001"}, problems(report))
}

// TestDoctorScaledToZero (K14): the controller disables the HPA; the doctor warns on the
// Deployment and reports nothing that follows from having no pods.
func TestDoctorScaledToZero(t *testing.T) {
	c := cluster.Shared(t)
	ns := c.Namespace(t)
	healthyCMS(t, c, ns)
	_, stderr, err := c.Kubectl(t, "-n", ns, "scale", "deployment/cms", "--replicas=0")
	require.NoError(t, err, stderr)
	hpa := c.WaitHPA(t, ns, "cms", 2*time.Minute,
		conditionIs(autoscalingv2.ScalingActive, corev1.ConditionFalse, "ScalingDisabled"))
	if cond, ok := hpaCondition(hpa, "ScaledToZero"); ok {
		t.Logf("the controller wrote ScaledToZero=%s %s", cond.Status, cond.Reason)
	}

	report, code := doctorRun(t, c, "-n", ns)

	assert.Equal(t, 0, code)
	f := findingOf(t, report, "HPA-TGT-004")
	assert.Equal(t, diagnose.Warning, f.Severity)
	assert.True(t, evidenceHas(f, "ScalingDisabled"), f.Evidence)
	assert.ElementsMatch(t, []string{"HPA-TGT-004"}, problems(report))
}

// TestDoctorStartupGap (K17): right after the HPA appears, before the first pod metrics, the
// doctor says so as information; once the controller computes, that finding is gone.
func TestDoctorStartupGap(t *testing.T) {
	c := cluster.Shared(t)
	ns := c.Namespace(t)
	c.Apply(t, ns, cmsManifest(t, cmsRequests, "75m")+"---\n"+
		cmsHPAManifest("cms", productBehavior))
	waitReadyPods(t, c, ns, "app=cms", 2)
	waitBootstrapped(t, c, ns)

	report, code := doctorRun(t, c, "-n", ns)

	assert.Equal(t, 0, code)
	for _, f := range report.Findings {
		assert.LessOrEqual(t, f.Severity, diagnose.Info, "%s: %s", f.ID, f.Message)
	}

	c.WaitHPA(t, ns, "cms", 4*time.Minute,
		conditionIs(autoscalingv2.ScalingActive, corev1.ConditionTrue, "ValidMetricFound"))
	report, _ = doctorRun(t, c, "-n", ns)
	for _, f := range report.Findings {
		assert.NotEqual(t, "HPA-MET-040", f.ID, f.Message)
	}
}

// TestDoctorMetricsPipelineFaults breaks the metrics API three ways on a healthy HPA; each
// time the doctor must report the pipeline as the one root cause.
func TestDoctorMetricsPipelineFaults(t *testing.T) {
	c := cluster.Shared(t)
	ns := c.Namespace(t)
	healthyCMS(t, c, ns)

	t.Run("metrics-server stopped", func(t *testing.T) {
		c.StopMetricsServer(t)
		c.WaitFor(t, 2*time.Minute, "APIService unavailable",
			c.APIServiceUnavailable(cluster.MetricsAPIService, ""))
		rootCauseOnly(t, c, ns, "HPA-MET-00")
		c.StartMetricsServer(t)
	})
	waitMetricsBack(t, c, ns)

	t.Run("no endpoints", func(t *testing.T) {
		c.BreakMetricsAPIService(t)
		c.WaitFor(t, time.Minute, "APIService MissingEndpoints",
			c.APIServiceUnavailable(cluster.MetricsAPIService, "MissingEndpoints"))
		f := rootCauseOnly(t, c, ns, "HPA-MET-002")
		assert.True(t, evidenceHas(f, "MissingEndpoints"), f.Evidence)
	})
	waitMetricsBack(t, c, ns)

	t.Run("Service missing", func(t *testing.T) {
		pointMetricsAPIAt(t, c, "metrics-server-gone")
		c.WaitFor(t, time.Minute, "APIService ServiceNotFound",
			c.APIServiceUnavailable(cluster.MetricsAPIService, "ServiceNotFound"))
		f := rootCauseOnly(t, c, ns, "HPA-MET-004")
		assert.True(t, evidenceHas(f, "Service kube-system/metrics-server-gone: not found"), f.Evidence)
	})
	waitMetricsBack(t, c, ns)
}

// rootCauseOnly runs the doctor once the HPA shows the failure and checks that the only
// problem reported is the pipeline finding whose ID starts with prefix, naming the HPA.
func rootCauseOnly(t *testing.T, c *cluster.Cluster, ns, prefix string) diagnose.Finding {
	t.Helper()
	c.WaitHPA(t, ns, "cms", 2*time.Minute,
		conditionIs(autoscalingv2.ScalingActive, corev1.ConditionFalse, "FailedGetResourceMetric"))

	report, code := doctorRun(t, c, "-n", ns)

	assert.Equal(t, 2, code)
	ids := problems(report)
	require.Len(t, ids, 1, describe(report))
	require.Regexp(t, "^"+prefix, ids[0])
	f := findingOf(t, report, ids[0])
	assert.Equal(t, diagnose.Error, f.Severity)
	assert.Equal(t, diagnose.Subject{Kind: "APIService", Name: cluster.MetricsAPIService}, f.Subject)
	assert.Contains(t, f.HPAs, ns+"/cms")
	return f
}

func waitMetricsBack(t *testing.T, c *cluster.Cluster, ns string) {
	t.Helper()
	c.WaitFor(t, 3*time.Minute, "metrics API available again",
		c.APIServiceAvailable(cluster.MetricsAPIService))
	c.WaitHPA(t, ns, "cms", 4*time.Minute,
		conditionIs(autoscalingv2.ScalingActive, corev1.ConditionTrue, "ValidMetricFound"))
}

// pointMetricsAPIAt points the metrics APIService at a Service of that name in kube-system,
// which does not exist, and restores it when the test ends.
func pointMetricsAPIAt(t *testing.T, c *cluster.Cluster, name string) {
	t.Helper()
	apis := c.Aggregator().ApiregistrationV1().APIServices()
	original, err := apis.Get(t.Context(), cluster.MetricsAPIService, metav1.GetOptions{})
	require.NoError(t, err)
	port := int32(443)
	setService(t, c, &apiregv1.ServiceReference{Namespace: "kube-system", Name: name, Port: &port})
	t.Cleanup(func() { setService(t, c, original.Spec.Service) })
}

func setService(t *testing.T, c *cluster.Cluster, ref *apiregv1.ServiceReference) {
	apis := c.Aggregator().ApiregistrationV1().APIServices()
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		api, err := apis.Get(context.Background(), cluster.MetricsAPIService, metav1.GetOptions{})
		if err != nil {
			return err
		}
		api.Spec.Service = ref
		_, err = apis.Update(context.Background(), api, metav1.UpdateOptions{})
		return err
	})
	if err != nil {
		t.Errorf("pointing APIService %s at %v: %v", cluster.MetricsAPIService, ref, err)
	}
}

// sharedInstanceLabel is K03's umbrella chart: cms and kv select only by the release label,
// and kv's container has no requests.
const sharedInstanceLabel = `apiVersion: apps/v1
kind: Deployment
metadata: {name: cms}
spec:
  replicas: 2
  selector: {matchLabels: {app.kubernetes.io/instance: cms}}
  template:
    metadata:
      labels: {app.kubernetes.io/instance: cms, app.kubernetes.io/name: directus}
      annotations: {kwok.x-k8s.io/usage-cpu: 75m, kwok.x-k8s.io/usage-memory: 282Mi}
    spec:
      containers:
      - name: directus
        image: directus/directus:11.12.0
        resources: {requests: {cpu: 250m, memory: 512Mi}}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: kv}
spec:
  replicas: 1
  serviceName: kv
  selector: {matchLabels: {app.kubernetes.io/instance: cms, app.kubernetes.io/name: kv}}
  template:
    metadata:
      labels: {app.kubernetes.io/instance: cms, app.kubernetes.io/name: kv}
    spec:
      containers: [{name: redis, image: valkey/valkey:8}]
`

// TestDoctorForeignPods (K03): the controller names kv-0, a pod of another workload; the
// doctor names the selector, the pod, its owner and the container.
func TestDoctorForeignPods(t *testing.T) {
	c := cluster.Shared(t)
	ns := c.Namespace(t)
	c.Apply(t, ns, sharedInstanceLabel+"---\n"+cmsHPAManifest("cms", productBehavior))
	named := waitEventMatch(t, c, ns, "FailedGetResourceMetric", podInMessage)
	require.Equal(t, "kv-0", named[2])

	report, code := doctorRun(t, c, "-n", ns)

	assert.Equal(t, 2, code)
	f := findingOf(t, report, "HPA-REQ-003")
	assert.True(t, evidenceHas(f, "selector: app.kubernetes.io/instance=cms"), f.Evidence)
	assert.True(t, evidenceHas(f, "pod kv-0 (owned by StatefulSet kv", "container redis"),
		f.Evidence)
	assert.False(t, evidenceHas(f, "container directus"), f.Evidence)
	// The umbrella chart's bare Directus draws Directus settings findings; what the HPA
	// counts must come out as these two alone, with no blame on the metrics pipeline.
	assert.ElementsMatch(t, []string{"HPA-REQ-003", "HPA-TGT-005"}, hpaProblems(report))
}

// hpaProblems lists the IDs of findings at warning level or above other than the Directus
// settings and the configuration practice checks.
func hpaProblems(report *diagnose.Report) []string {
	var ids []string
	for _, id := range problems(report) {
		if !strings.HasPrefix(id, "DX") && !strings.HasPrefix(id, "HPA-CFG-") {
			ids = append(ids, id)
		}
	}
	return ids
}
