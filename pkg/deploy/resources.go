package deploy

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
)

// kindInfo is what deploy needs to know about a kind it renders: its resource name and scope.
type kindInfo struct {
	Resource   string
	Namespaced bool
}

// knownKinds maps every kind of the embedded manifests to its resource. A fixed table saves
// a discovery round trip; a manifest with a kind missing here fails the render tests.
func knownKinds() map[schema.GroupVersionKind]kindInfo {
	core := schema.GroupVersion{Version: "v1"}
	apps := schema.GroupVersion{Group: "apps", Version: "v1"}
	batch := schema.GroupVersion{Group: "batch", Version: "v1"}
	policy := schema.GroupVersion{Group: "policy", Version: "v1"}
	autoscaling := schema.GroupVersion{Group: "autoscaling", Version: "v2"}
	rbac := schema.GroupVersion{Group: "rbac.authorization.k8s.io", Version: "v1"}
	registration := schema.GroupVersion{Group: "apiregistration.k8s.io", Version: "v1"}

	return map[schema.GroupVersionKind]kindInfo{
		core.WithKind("Secret"):                         {"secrets", true},
		core.WithKind("Service"):                        {"services", true},
		core.WithKind("ServiceAccount"):                 {"serviceaccounts", true},
		core.WithKind("PersistentVolumeClaim"):          {"persistentvolumeclaims", true},
		apps.WithKind("Deployment"):                     {"deployments", true},
		apps.WithKind("StatefulSet"):                    {"statefulsets", true},
		batch.WithKind("Job"):                           {"jobs", true},
		policy.WithKind("PodDisruptionBudget"):          {"poddisruptionbudgets", true},
		autoscaling.WithKind("HorizontalPodAutoscaler"): {"horizontalpodautoscalers", true},
		rbac.WithKind("ClusterRole"):                    {"clusterroles", false},
		rbac.WithKind("ClusterRoleBinding"):             {"clusterrolebindings", false},
		rbac.WithKind("RoleBinding"):                    {"rolebindings", true},
		registration.WithKind("APIService"):             {"apiservices", false},
	}
}

// ObjectRef names one object the way kubectl prints it.
type ObjectRef struct {
	GVR       schema.GroupVersionResource
	Kind      string
	Namespace string
	Name      string
}

// String returns kind.group/name, e.g. deployment.apps/directus-directus.
func (r ObjectRef) String() string {
	kind := strings.ToLower(r.Kind)
	if r.GVR.Group != "" {
		kind += "." + r.GVR.Group
	}
	return kind + "/" + r.Name
}

// refOf returns the reference of a rendered object; its kind must be in knownKinds.
func refOf(obj *unstructured.Unstructured) (ObjectRef, error) {
	gvk := obj.GroupVersionKind()
	info, ok := knownKinds()[gvk]
	if !ok {
		return ObjectRef{}, fmt.Errorf("%s %q: kind unknown to deploy", gvk, obj.GetName())
	}
	ref := ObjectRef{GVR: gvk.GroupVersion().WithResource(info.Resource), Kind: gvk.Kind,
		Name: obj.GetName()}
	if info.Namespaced {
		ref.Namespace = obj.GetNamespace()
	}
	return ref, nil
}

// resourceClient returns the dynamic client of ref's resource, in its namespace if it has one.
func resourceClient(client dynamic.Interface, ref ObjectRef) dynamic.ResourceInterface {
	if ref.Namespace == "" {
		return client.Resource(ref.GVR)
	}
	return client.Resource(ref.GVR).Namespace(ref.Namespace)
}
