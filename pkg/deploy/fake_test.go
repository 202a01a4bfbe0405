package deploy

import (
	"fmt"
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	authv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	kubefake "k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

// fakeCluster stands in for the API server and its controllers in unit tests: it answers
// server-side apply (create, or merge keeping the resourceVersion when nothing changed),
// dry runs, access reviews, and makes workloads ready and Jobs finish as controllers would.
// The end-to-end tests run the same code against a real control plane.
type fakeCluster struct {
	dyn  *dynamicfake.FakeDynamicClient
	kube *kubefake.Clientset

	mu sync.Mutex
	rv int
	// writes lists every write in order, as "verb kind/name".
	writes []string
	// denied holds "verb resource.group" pairs access reviews refuse.
	denied map[string]bool
	// forbidden holds "verb resource.group" pairs the writes themselves refuse.
	forbidden map[string]bool
	// jobCondition is the condition bootstrap Jobs reach: Complete, Failed, or "" (running).
	jobCondition string
	// hpaActive makes autoscalers report ScalingActive=True.
	hpaActive bool
	// databaseWaiting keeps StatefulSets at 0 ready replicas, as when their claim never binds.
	databaseWaiting bool
}

func newFakeCluster(t *testing.T, namespaces []string, objs ...runtime.Object) *fakeCluster {
	t.Helper()
	listKinds := map[schema.GroupVersionResource]string{}
	for gvk, info := range knownKinds() {
		listKinds[gvk.GroupVersion().WithResource(info.Resource)] = gvk.Kind + "List"
	}

	var nsObjs []runtime.Object
	for _, ns := range namespaces {
		nsObjs = append(nsObjs, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}})
	}
	f := &fakeCluster{
		dyn: dynamicfake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(),
			listKinds, objs...),
		kube:         kubefake.NewClientset(nsObjs...),
		denied:       map[string]bool{},
		forbidden:    map[string]bool{},
		jobCondition: "Complete",
		hpaActive:    true,
	}
	f.dyn.PrependReactor("patch", "*", f.apply)
	f.dyn.PrependReactor("create", "*", f.create)
	f.dyn.PrependReactor("delete", "*", f.record)
	f.kube.PrependReactor("create", "selfsubjectaccessreviews", f.review)
	return f
}

func (f *fakeCluster) clients() Clients {
	return Clients{Dynamic: f.dyn, Kube: f.kube}
}

func (f *fakeCluster) nextRV() string {
	f.rv++
	return strconv.Itoa(f.rv)
}

func (f *fakeCluster) Writes() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.writes...)
}

func (f *fakeCluster) note(verb string, gvr schema.GroupVersionResource, name string) error {
	key := verb + " " + gvr.GroupResource().String()
	if f.forbidden[key] {
		return apierrors.NewForbidden(gvr.GroupResource(), name,
			fmt.Errorf("User \"ci\" cannot %s resource %q", verb, gvr.Resource))
	}
	f.writes = append(f.writes, verb+" "+gvr.GroupResource().String()+"/"+name)
	return nil
}

// apply emulates server-side apply of a whole object by its only manager.
func (f *fakeCluster) apply(action k8stesting.Action) (bool, runtime.Object, error) {
	patch := action.(k8stesting.PatchActionImpl)
	if patch.GetPatchType() != types.ApplyPatchType {
		return false, nil, nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()

	gvr, ns, name := patch.GetResource(), patch.GetNamespace(), patch.GetName()
	if err := f.note("patch", gvr, name); err != nil {
		return true, nil, err
	}
	applied := &unstructured.Unstructured{}
	if err := applied.UnmarshalJSON(patch.GetPatch()); err != nil {
		return true, nil, err
	}
	dryRun := len(patch.PatchOptions.DryRun) > 0

	current, err := f.dyn.Tracker().Get(gvr, ns, name)
	if apierrors.IsNotFound(err) {
		applied.SetResourceVersion(f.nextRV())
		applied.SetUID(types.UID("uid-" + name))
		f.simulateControllers(applied)
		if dryRun {
			return true, applied, nil
		}
		return true, applied, f.dyn.Tracker().Create(gvr, applied, ns)
	}
	if err != nil {
		return true, nil, err
	}

	merged := mergeApplied(current.(*unstructured.Unstructured), applied)
	if !sameContent(current.(*unstructured.Unstructured), merged) && !dryRun {
		merged.SetResourceVersion(f.nextRV())
	}
	f.simulateControllers(merged)
	if !dryRun {
		err = f.dyn.Tracker().Update(gvr, merged, ns)
	}
	return true, merged, err
}

// mergeApplied replaces every top-level field but metadata and status, and sets the applied
// labels and annotations.
func mergeApplied(current, applied *unstructured.Unstructured) *unstructured.Unstructured {
	merged := current.DeepCopy()
	for key, value := range applied.Object {
		if key != "metadata" && key != "status" {
			merged.Object[key] = value
		}
	}
	merged.SetLabels(union(merged.GetLabels(), applied.GetLabels()))
	merged.SetAnnotations(union(merged.GetAnnotations(), applied.GetAnnotations()))
	return merged
}

func union(a, b map[string]string) map[string]string {
	if len(a)+len(b) == 0 {
		return nil
	}
	out := map[string]string{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

func (f *fakeCluster) create(action k8stesting.Action) (bool, runtime.Object, error) {
	create := action.(k8stesting.CreateActionImpl)
	f.mu.Lock()
	defer f.mu.Unlock()

	obj := create.GetObject().(*unstructured.Unstructured)
	if err := f.note("create", create.GetResource(), obj.GetName()); err != nil {
		return true, nil, err
	}
	obj.SetResourceVersion(f.nextRV())
	if len(create.CreateOptions.DryRun) > 0 {
		return true, obj, nil
	}
	return false, nil, nil
}

func (f *fakeCluster) record(action k8stesting.Action) (bool, runtime.Object, error) {
	del := action.(k8stesting.DeleteActionImpl)
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.note("delete", del.GetResource(), del.GetName()); err != nil {
		return true, nil, err
	}
	return false, nil, nil
}

// simulateControllers writes the status the workload controllers would reach.
func (f *fakeCluster) simulateControllers(obj *unstructured.Unstructured) {
	var status map[string]any
	switch obj.GetKind() {
	case "StatefulSet", "Deployment":
		status = map[string]any{"replicas": int64(1), "readyReplicas": int64(1),
			"updatedReplicas": int64(1), "availableReplicas": int64(1)}
		if obj.GetKind() == "StatefulSet" && f.databaseWaiting {
			status["readyReplicas"] = int64(0)
		}
	case "Job":
		if f.jobCondition == "" {
			status = map[string]any{"active": int64(1)}
			break
		}
		status = map[string]any{"conditions": []any{map[string]any{
			"type": f.jobCondition, "status": "True", "reason": "BackoffLimitExceeded",
			"message": "Job has reached the specified backoff limit"}}}
	case "HorizontalPodAutoscaler":
		condition := map[string]any{"type": "ScalingActive", "status": "True",
			"reason": "ValidMetricFound", "message": "the HPA was able to compute a replica count"}
		if !f.hpaActive {
			condition = map[string]any{"type": "ScalingActive", "status": "False",
				"reason": "FailedGetResourceMetric", "message": "unable to get metrics"}
		}
		status = map[string]any{"conditions": []any{condition}}
	default:
		return
	}
	obj.Object["status"] = status
}

// review answers access reviews from denied.
func (f *fakeCluster) review(action k8stesting.Action) (bool, runtime.Object, error) {
	review := action.(k8stesting.CreateActionImpl).GetObject().(*authv1.SelfSubjectAccessReview)
	attrs := review.Spec.ResourceAttributes
	gr := schema.GroupResource{Group: attrs.Group, Resource: attrs.Resource}
	f.mu.Lock()
	defer f.mu.Unlock()

	out := review.DeepCopy()
	out.Status.Allowed = !f.denied[attrs.Verb+" "+gr.String()]
	return true, out, nil
}

// get returns a stored object, or nil.
func (f *fakeCluster) get(t *testing.T, gvr schema.GroupVersionResource, ns,
	name string) *unstructured.Unstructured {
	t.Helper()
	obj, err := f.dyn.Tracker().Get(gvr, ns, name)
	if apierrors.IsNotFound(err) {
		return nil
	}
	require.NoError(t, err)
	return obj.(*unstructured.Unstructured)
}
