package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"github.com/kubectl-directus/kubectl-directus/pkg/diagnose"
	"github.com/kubectl-directus/kubectl-directus/test/cluster"
)

// cmsManifest is the healthy baseline of the cases without its HPA: Directus (Deployment
// cms, container directus) with the given resources block, PostgreSQL, Redis, the bootstrap
// Job, Services and PodDisruptionBudget, and kwok usage annotations so metrics-server
// reports cpu and memory for the Directus pods.
func cmsManifest(t *testing.T, resources, cpuUsage string) string {
	t.Helper()
	return cmsManifestUsing(t, resources, cpuUsage, "282Mi")
}

// cmsManifestUsing is cmsManifest with the memory usage too.
func cmsManifestUsing(t *testing.T, resources, cpuUsage, memoryUsage string) string {
	t.Helper()
	var requested map[string]any
	require.NoError(t, yaml.Unmarshal([]byte(resources), &requested))

	var docs []map[string]any
	for _, obj := range baselineObjects(t) {
		switch obj["kind"] {
		case "HorizontalPodAutoscaler":
			continue
		case "Deployment":
			template := obj["spec"].(map[string]any)["template"].(map[string]any)
			template["metadata"].(map[string]any)["annotations"] = map[string]any{
				"kwok.x-k8s.io/usage-cpu": cpuUsage, "kwok.x-k8s.io/usage-memory": memoryUsage}
			container := template["spec"].(map[string]any)["containers"].([]any)[0]
			container.(map[string]any)["resources"] = requested
		}
		docs = append(docs, obj)
	}
	return joinManifests(t, docs)
}

// baselineManifest is the whole healthy baseline, HPA included, in namespace ns.
func baselineManifest(t *testing.T, ns string) string {
	t.Helper()
	objects := baselineObjects(t)
	for _, obj := range objects {
		obj["metadata"].(map[string]any)["namespace"] = ns
	}
	return joinManifests(t, objects)
}

// baselineObjects turns the fixture baseline the Directus checks start from into what a user
// would apply: the workloads, Services, Job, PodDisruptionBudget and HPA, without the objects
// and fields controllers write (status, the Deployment's replicas) and without a namespace.
func baselineObjects(t *testing.T) []map[string]any {
	t.Helper()
	raw, err := os.ReadFile("../../pkg/diagnose/testdata/directus/baseline.yaml")
	require.NoError(t, err)
	keep := map[string]bool{"Deployment": true, "StatefulSet": true, "Service": true,
		"Job": true, "PodDisruptionBudget": true, "HorizontalPodAutoscaler": true}

	var objects []map[string]any
	for _, doc := range strings.Split(string(raw), "\n---\n") {
		var obj map[string]any
		require.NoError(t, yaml.Unmarshal([]byte(doc), &obj))
		if !keep[fmt.Sprint(obj["kind"])] {
			continue
		}
		delete(obj, "status")
		withoutClaims(obj)
		if obj["kind"] == "Deployment" {
			// The fixture shows the running count; a manifest leaves it to the HPA (DX11).
			delete(obj["spec"].(map[string]any), "replicas")
		}
		meta := obj["metadata"].(map[string]any)
		delete(meta, "uid")
		delete(meta, "namespace")
		objects = append(objects, obj)
	}
	return objects
}

func joinManifests(t *testing.T, objects []map[string]any) string {
	t.Helper()
	docs := make([]string, 0, len(objects))
	for _, obj := range objects {
		out, err := yaml.Marshal(obj)
		require.NoError(t, err)
		docs = append(docs, string(out))
	}
	return strings.Join(docs, "---\n")
}

// withoutClaims swaps a StatefulSet's volume claim templates for emptyDir volumes of the
// same names: the local control plane has no storage provisioner, so claims never bind.
func withoutClaims(obj map[string]any) {
	spec, _ := obj["spec"].(map[string]any)
	claims, _ := spec["volumeClaimTemplates"].([]any)
	if len(claims) == 0 {
		return
	}
	delete(spec, "volumeClaimTemplates")
	podSpec := spec["template"].(map[string]any)["spec"].(map[string]any)
	var volumes []any
	for _, claim := range claims {
		name := claim.(map[string]any)["metadata"].(map[string]any)["name"]
		volumes = append(volumes, map[string]any{"name": name, "emptyDir": map[string]any{}})
	}
	podSpec["volumes"] = volumes
}

const cmsRequests = "{requests: {cpu: 250m, memory: 512Mi}}"

// cmsHPAManifest is the product's HPA: min 2, max 10, cpu 70%, memory 80%, with the given
// behavior block.
func cmsHPAManifest(name, behavior string) string {
	return fmt.Sprintf(`apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: %s}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: cms}
  minReplicas: 2
  maxReplicas: 10
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}
  - type: Resource
    resource: {name: memory, target: {type: Utilization, averageUtilization: 80}}
  behavior: %s
`, name, behavior)
}

const productBehavior = `
    scaleUp: {stabilizationWindowSeconds: 0}
    scaleDown: {stabilizationWindowSeconds: 300}`

// doctorRun runs the built plugin's doctor against the cluster as JSON and returns the
// report and the exit code.
func doctorRun(t *testing.T, c *cluster.Cluster, args ...string) (*diagnose.Report, int) {
	t.Helper()
	cluster.Plugin(t) // build once, outside the timing
	start := time.Now()
	stdout, stderr, err := c.Directus(t, append([]string{"doctor", "-o", "json", "-v", "2"},
		args...)...)
	code := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else {
		require.NoError(t, err, stderr)
	}
	require.NotEqual(t, 1, code, "the doctor itself failed: %s", stderr)

	var report diagnose.Report
	require.NoError(t, json.Unmarshal([]byte(stdout), &report), stdout)
	assertReadOnly(t, stderr)
	t.Logf("doctor %s: exit %d in %s; %s; findings:%s", strings.Join(args, " "), code,
		time.Since(start).Round(time.Millisecond), requestsLine(stderr), describe(&report))
	return &report, code
}

// readOnlyLog matches the doctor's -v 2 account of its requests when every one was a GET.
var readOnlyLog = regexp.MustCompile(`API requests, by method map\[GET:\d+\]`)

// assertReadOnly checks, from the doctor's own request log, that it sent nothing but GETs.
func assertReadOnly(t *testing.T, stderr string) {
	t.Helper()
	require.Regexp(t, readOnlyLog, stderr, "the doctor must only read")
}

// requestsLine picks the snapshot's request count out of the -v 2 log.
func requestsLine(stderr string) string {
	for _, line := range strings.Split(stderr, "\n") {
		if i := strings.Index(line, "API requests, by method"); i >= 0 {
			return line[i:]
		}
	}
	return "no snapshot log"
}

func describe(report *diagnose.Report) string {
	var b strings.Builder
	for _, f := range report.Findings {
		fmt.Fprintf(&b, "\n  %s %s %s/%s: %s", f.Severity, f.ID, f.Subject.Kind, f.Subject.Name,
			f.Message)
		for _, e := range f.Evidence {
			b.WriteString("\n      - " + e)
		}
	}
	return b.String()
}

// findingOf returns the one finding with that ID.
func findingOf(t *testing.T, report *diagnose.Report, id string) diagnose.Finding {
	t.Helper()
	var found []diagnose.Finding
	for _, f := range report.Findings {
		if f.ID == id {
			found = append(found, f)
		}
	}
	require.Len(t, found, 1, "findings %s in:%s", id, describe(report))
	return found[0]
}

// problems lists the IDs of findings at warning level or above.
func problems(report *diagnose.Report) []string {
	var ids []string
	for _, f := range report.Findings {
		if f.Severity >= diagnose.Warning {
			ids = append(ids, f.ID)
		}
	}
	return ids
}

// evidenceHas reports whether some evidence line contains every one of items.
func evidenceHas(f diagnose.Finding, items ...string) bool {
	for _, line := range f.Evidence {
		all := true
		for _, item := range items {
			all = all && strings.Contains(line, item)
		}
		if all {
			return true
		}
	}
	return false
}

// hpaCondition returns the HPA's condition of that type.
func hpaCondition(hpa *autoscalingv2.HorizontalPodAutoscaler,
	kind autoscalingv2.HorizontalPodAutoscalerConditionType) (autoscalingv2.HorizontalPodAutoscalerCondition, bool) {
	for _, cond := range hpa.Status.Conditions {
		if cond.Type == kind {
			return cond, true
		}
	}
	return autoscalingv2.HorizontalPodAutoscalerCondition{}, false
}

// conditionIs returns a WaitHPA condition: type has that status and reason.
func conditionIs(kind autoscalingv2.HorizontalPodAutoscalerConditionType,
	status corev1.ConditionStatus, reason string) func(*autoscalingv2.HorizontalPodAutoscaler) bool {
	return func(hpa *autoscalingv2.HorizontalPodAutoscaler) bool {
		cond, ok := hpaCondition(hpa, kind)
		return ok && cond.Status == status && cond.Reason == reason
	}
}

// waitBootstrapped waits for the baseline's bootstrap Job to complete: until then the doctor
// rightly warns that nothing shows the migrations ran (DX09).
func waitBootstrapped(t *testing.T, c *cluster.Cluster, ns string) {
	t.Helper()
	c.WaitFor(t, 2*time.Minute, "the bootstrap Job", func(ctx context.Context) (bool, error) {
		job, err := c.Client().BatchV1().Jobs(ns).Get(ctx, "cms-bootstrap-5f1e2a",
			metav1.GetOptions{})
		return err == nil && job.Status.Succeeded > 0, nil
	})
}

// healthyCMS applies the baseline Deployment and HPA and waits until the controller computes
// from real metrics.
func healthyCMS(t *testing.T, c *cluster.Cluster, ns string) {
	t.Helper()
	c.Apply(t, ns, cmsManifest(t, cmsRequests, "75m")+"---\n"+
		cmsHPAManifest("cms", productBehavior))
	c.WaitHPA(t, ns, "cms", 4*time.Minute,
		conditionIs(autoscalingv2.ScalingActive, corev1.ConditionTrue, "ValidMetricFound"))
}
