package diagnose

import (
	"encoding/json"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Field managers that may own spec.replicas of an autoscaled workload besides the writers
// through the scale subresource: a one-shot manager may set it once at creation or hand it
// over from an applier (see the deploy verb).
const (
	managerInit     = "kubectl-directus-init"
	managerHandover = "handover-to-hpa"
)

// lastAppliedAnnotation is where client-side kubectl apply keeps the applied manifest.
const lastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration"

// fieldOwner is a field manager and the subresource it wrote through ("" for the object).
type fieldOwner struct {
	Manager     string
	Subresource string
}

func (o fieldOwner) String() string {
	if o.Subresource == "" {
		return o.Manager
	}
	return o.Manager + " (through /" + o.Subresource + ")"
}

// replicasOwners returns the managers that own spec.replicas, from managedFields. tracked is
// false when the object has no managedFields at all, so ownership is unknown.
func replicasOwners(meta *metav1.ObjectMeta) (owners []fieldOwner, tracked bool) {
	for _, entry := range meta.ManagedFields {
		if entry.FieldsV1 == nil {
			continue
		}
		var fields map[string]map[string]any
		if json.Unmarshal(entry.FieldsV1.Raw, &fields) != nil {
			continue
		}
		if _, ok := fields["f:spec"]["f:replicas"]; ok {
			owners = append(owners, fieldOwner{Manager: entry.Manager,
				Subresource: entry.Subresource})
		}
	}
	return owners, len(meta.ManagedFields) > 0
}

// lastAppliedReplicas reports whether client-side apply recorded spec.replicas, which the
// next `kubectl apply` writes back.
func lastAppliedReplicas(meta *metav1.ObjectMeta) (int64, bool) {
	raw := meta.Annotations[lastAppliedAnnotation]
	if raw == "" {
		return 0, false
	}
	var applied struct {
		Spec struct {
			Replicas *int64 `json:"replicas"`
		} `json:"spec"`
	}
	if json.Unmarshal([]byte(raw), &applied) != nil || applied.Spec.Replicas == nil {
		return 0, false
	}
	return *applied.Spec.Replicas, true
}
