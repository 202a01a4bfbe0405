package diagnose

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/strategicpatch"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/kubernetes/scheme"
	metricsv1beta1 "k8s.io/metrics/pkg/apis/metrics/v1beta1"
	"sigs.k8s.io/yaml"

	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
)

// fixtureDir holds the Directus and practice fixtures.
const fixtureDir = "testdata/directus"

// deleteAnnotation on an object of a case file removes that object from the baseline.
const deleteAnnotation = "fixture.kubectl-directus.io/delete"

// loadFixture reads the baseline and applies each case file in order: an object of the same
// kind, namespace and name is patched with strategic merge (so env entries merge by name and
// `$patch: delete` removes one), a new object is added, and an object annotated with
// deleteAnnotation is removed.
func loadFixture(t *testing.T, files ...string) *snapshot.Snapshot {
	t.Helper()
	objects := readObjects(t, "baseline.yaml")
	for _, file := range files {
		for _, doc := range readDocs(t, file) {
			objects = overlay(t, objects, doc)
		}
	}
	return buildSnapshot(t, objects)
}

// fixtureObject is one object of a fixture: its identity and its JSON form.
type fixtureObject struct {
	key  string
	json []byte
}

func readObjects(t *testing.T, file string) []fixtureObject {
	var out []fixtureObject
	for _, doc := range readDocs(t, file) {
		out = append(out, fixtureObject{key: objectKey(t, doc), json: doc})
	}
	return out
}

func readDocs(t *testing.T, file string) [][]byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(fixtureDir, file))
	require.NoError(t, err)
	reader := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(raw)))
	var docs [][]byte
	for {
		doc, err := reader.Read()
		if err != nil {
			break
		}
		js, err := yaml.YAMLToJSON(doc)
		require.NoError(t, err, "fixture %s", file)
		if len(bytes.TrimSpace(js)) > 0 && string(js) != "null" {
			docs = append(docs, js)
		}
	}
	return docs
}

func objectKey(t *testing.T, doc []byte) string {
	t.Helper()
	var head struct {
		APIVersion string            `json:"apiVersion"`
		Kind       string            `json:"kind"`
		Metadata   metav1.ObjectMeta `json:"metadata"`
	}
	require.NoError(t, json.Unmarshal(doc, &head))
	return head.Kind + "/" + head.Metadata.Namespace + "/" + head.Metadata.Name
}

func overlay(t *testing.T, objects []fixtureObject, doc []byte) []fixtureObject {
	t.Helper()
	key := objectKey(t, doc)
	deleting := bytes.Contains(doc, []byte(deleteAnnotation))
	for i, obj := range objects {
		if obj.key != key {
			continue
		}
		if deleting {
			return append(objects[:i:i], objects[i+1:]...)
		}
		objects[i].json = patchObject(t, obj.json, doc)
		return objects
	}
	require.False(t, deleting, "fixture deletes %s, which the baseline does not hold", key)
	return append(objects, fixtureObject{key: key, json: doc})
}

func patchObject(t *testing.T, original, patch []byte) []byte {
	t.Helper()
	obj := decode(t, original)
	out, err := strategicpatch.StrategicMergePatch(original, patch, obj)
	require.NoError(t, err)
	return out
}

// fixtureScheme knows every kind a snapshot holds; building it is slow, so tests share one.
var fixtureScheme = sync.OnceValue(func() *runtime.Scheme {
	s := runtime.NewScheme()
	_ = scheme.AddToScheme(s)
	_ = metricsv1beta1.AddToScheme(s)
	return s
})

// fixtureDecoder decodes the fixtures' YAML into typed objects.
var fixtureDecoder = sync.OnceValue(func() runtime.Decoder {
	return serializer.NewCodecFactory(fixtureScheme()).UniversalDeserializer()
})

func decode(t *testing.T, doc []byte) runtime.Object {
	t.Helper()
	obj, _, err := fixtureDecoder().Decode(doc, nil, nil)
	require.NoError(t, err, "decoding %s", doc)
	return obj
}

func buildSnapshot(t *testing.T, objects []fixtureObject) *snapshot.Snapshot {
	snap := &snapshot.Snapshot{Taken: fixtureNow, Scope: snapshot.Scope{Namespace: "shop"},
		ServedGroups: map[string]bool{"autoscaling/v1": true, "autoscaling/v2": true,
			"metrics.k8s.io/v1beta1": true}}
	for _, obj := range objects {
		addObject(t, snap, decode(t, obj.json))
	}
	fillTemplates(snap)
	return snap
}

func addObject(t *testing.T, snap *snapshot.Snapshot, obj runtime.Object) {
	switch o := obj.(type) {
	case *appsv1.Deployment:
		snap.Deployments = append(snap.Deployments, *o)
	case *appsv1.ReplicaSet:
		snap.ReplicaSets = append(snap.ReplicaSets, *o)
	case *appsv1.StatefulSet:
		snap.StatefulSets = append(snap.StatefulSets, *o)
	case *batchv1.Job:
		snap.Jobs = append(snap.Jobs, *o)
	case *corev1.Pod:
		snap.Pods = append(snap.Pods, *o)
	case *corev1.Service:
		snap.Services = append(snap.Services, *o)
	case *corev1.ConfigMap:
		snap.ConfigMaps = append(snap.ConfigMaps, *o)
	case *corev1.Node:
		snap.Nodes = append(snap.Nodes, *o)
	case *corev1.Event:
		snap.Events = append(snap.Events, *o)
	case *discoveryv1.EndpointSlice:
		snap.Endpoints = append(snap.Endpoints, *o)
	case *policyv1.PodDisruptionBudget:
		snap.PDBs = append(snap.PDBs, *o)
	case *autoscalingv2.HorizontalPodAutoscaler:
		snap.HPAs = append(snap.HPAs, *o)
	case *metricsv1beta1.PodMetrics:
		snap.PodMetrics = append(snap.PodMetrics, *o)
	default:
		t.Fatalf("fixture object of type %T is not part of a snapshot", obj)
	}
}

// fillTemplates gives ReplicaSets without containers their Deployment's template, and pods
// without containers their ReplicaSet's.
func fillTemplates(snap *snapshot.Snapshot) {
	for i := range snap.ReplicaSets {
		rs := &snap.ReplicaSets[i]
		owner := metav1.GetControllerOf(rs)
		if len(rs.Spec.Template.Spec.Containers) > 0 || owner == nil {
			continue
		}
		for _, d := range snap.Deployments {
			if d.Namespace == rs.Namespace && d.Name == owner.Name {
				rs.Spec.Template = *d.Spec.Template.DeepCopy()
			}
		}
	}
	for i := range snap.Pods {
		fillPod(snap, &snap.Pods[i])
	}
}

func fillPod(snap *snapshot.Snapshot, pod *corev1.Pod) {
	owner := metav1.GetControllerOf(pod)
	if len(pod.Spec.Containers) > 0 || owner == nil {
		return
	}
	for _, rs := range snap.ReplicaSets {
		if rs.Namespace == pod.Namespace && rs.Name == owner.Name {
			node := pod.Spec.NodeName
			pod.Spec = *rs.Spec.Template.Spec.DeepCopy()
			pod.Spec.NodeName = node
		}
	}
}

// expect is one finding a fixture must produce.
type expect struct {
	ID       string
	Severity Severity
	// Subject is Kind/namespace/name.
	Subject string
	// Evidence items must each appear inside one evidence string of the finding.
	Evidence []string
}

// absent says no finding with this ID may reach this severity.
type absent struct {
	ID       string
	Severity Severity
}

// runChecks judges a fixture with the practice and Directus checks.
func runChecks(snap *snapshot.Snapshot) *Report {
	reg := NewRegistry(append(practiceChecks(), directusChecks()...)...)
	return reg.Run(CheckContext{Now: fixtureNow}, snap)
}

// assertFindings checks that every expected finding is in the report and that no finding
// listed in absent is.
func assertFindings(t *testing.T, report *Report, want []expect, not []absent) {
	t.Helper()
	for _, w := range want {
		assert.True(t, hasFinding(report.Findings, w), "missing %s %s on %s with evidence %q;\n"+
			"got:\n%s", w.ID, w.Severity, w.Subject, w.Evidence, dumpFindings(report.Findings))
	}
	for _, n := range not {
		for _, f := range report.Findings {
			assert.False(t, f.ID == n.ID && f.Severity >= n.Severity,
				"unexpected %s %s: %s %q", f.ID, f.Severity, f.Message, f.Evidence)
		}
	}
}

func hasFinding(findings []Finding, w expect) bool {
	for _, f := range findings {
		subject := f.Subject.Kind + "/" + f.Subject.Namespace + "/" + f.Subject.Name
		if f.ID == w.ID && f.Severity == w.Severity && subject == w.Subject &&
			evidenceHas(f.Evidence, w.Evidence) {
			return true
		}
	}
	return false
}

func evidenceHas(evidence, want []string) bool {
	for _, item := range want {
		found := false
		for _, e := range evidence {
			found = found || strings.Contains(e, item)
		}
		if !found {
			return false
		}
	}
	return true
}

func dumpFindings(findings []Finding) string {
	var b strings.Builder
	for _, f := range findings {
		fmt.Fprintf(&b, "  %s %s %s/%s: %s\n", f.ID, f.Severity, f.Subject.Kind, f.Subject.Name,
			f.Message)
		for _, e := range f.Evidence {
			fmt.Fprintf(&b, "      - %s\n", e)
		}
	}
	return b.String()
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}

// completeForDirectus adds to the Go baseline of the HPA cases what the Directus checks
// require of a healthy install, as testdata/directus/baseline.yaml has it: the exec-form
// start command with a Complete bootstrap Job for the image (DX09, DX17), uploads in an S3
// bucket (DX07), and a surge of 1 with DB_POOL__MAX=8 so that (10 + 1) x 8 connections fit
// in PostgreSQL's default 100 minus 10 (DX24).
func completeForDirectus(w *world) {
	for _, obj := range w.objects {
		d, ok := obj.(*appsv1.Deployment)
		if !ok || d.Namespace != "shop" || d.Name != "cms" {
			continue
		}
		surge, unavailable := intstr.FromInt32(1), intstr.FromInt32(0)
		d.Spec.Strategy = appsv1.DeploymentStrategy{Type: appsv1.RollingUpdateDeploymentStrategyType,
			RollingUpdate: &appsv1.RollingUpdateDeployment{MaxSurge: &surge,
				MaxUnavailable: &unavailable}}
		c := &d.Spec.Template.Spec.Containers[0]
		c.Command = []string{"node", "/directus/cli.js", "start"}
		c.Env = append(c.Env, corev1.EnvVar{Name: "DB_POOL__MAX", Value: "8"},
			corev1.EnvVar{Name: "STORAGE_LOCATIONS", Value: "files"},
			corev1.EnvVar{Name: "STORAGE_FILES_DRIVER", Value: "s3"},
			corev1.EnvVar{Name: "STORAGE_FILES_BUCKET", Value: "cms-files"})
	}
	w.add(&batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{Name: "cms-bootstrap-5f1e2a", Namespace: "shop"},
		Spec: batchv1.JobSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
			RestartPolicy: corev1.RestartPolicyNever,
			Containers: []corev1.Container{{Name: "bootstrap", Image: "directus/directus:11.12.0",
				Command: []string{"node", "/directus/cli.js", "bootstrap"}}}}}},
		Status: batchv1.JobStatus{Succeeded: 1, Conditions: []batchv1.JobCondition{
			{Type: batchv1.JobComplete, Status: corev1.ConditionTrue}}},
	})
}
