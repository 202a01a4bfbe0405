package deploy

import (
	"context"
	"fmt"
	"io"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Deleter removes what deploy created for one release. The database volume claim and the
// Secret hold the data and stay unless DeleteData is set; metrics-server is shared by the
// cluster and always stays.
type Deleter struct {
	Clients   Clients
	Release   string
	Namespace string
	// DeleteData also deletes the database volume claims and the Secret.
	DeleteData bool
	// Progress receives notices (stderr in the plugin).
	Progress io.Writer
	// Wait waits until the deleted objects are gone.
	Wait bool
	// PollInterval between looks while waiting; 0 means DefaultPollInterval.
	PollInterval time.Duration
	// Server is the API server's address, for messages.
	Server string
}

// DeleteResult lists what Delete removed and what it kept, in deletion order.
type DeleteResult struct {
	Deleted []ObjectRef
	Kept    []ObjectRef
}

// deleteKind is a kind of object a release holds.
type deleteKind struct {
	gvr  schema.GroupVersionResource
	kind string
	data bool
}

// deleteOrder lists the kinds of a release in deletion order: the autoscaler first, so that
// it does not scale what is going away; the data last.
func deleteOrder() []deleteKind {
	gvk := func(group, version, kind string) schema.GroupVersionKind {
		return schema.GroupVersionKind{Group: group, Version: version, Kind: kind}
	}
	order := []struct {
		gvk  schema.GroupVersionKind
		data bool
	}{
		{gvk("autoscaling", "v2", "HorizontalPodAutoscaler"), false},
		{gvk("policy", "v1", "PodDisruptionBudget"), false},
		{gvk("", "v1", "Service"), false},
		{gvk("apps", "v1", "Deployment"), false},
		{gvk("batch", "v1", "Job"), false},
		{gvk("apps", "v1", "StatefulSet"), false},
		{gvk("", "v1", "PersistentVolumeClaim"), true},
		{gvk("", "v1", "Secret"), true},
	}

	kinds := knownKinds()
	out := make([]deleteKind, 0, len(order))
	for _, o := range order {
		gvr := o.gvk.GroupVersion().WithResource(kinds[o.gvk].Resource)
		out = append(out, deleteKind{gvr: gvr, kind: o.gvk.Kind, data: o.data})
	}
	return out
}

// Delete removes the release's objects, found by their instance and managed-by labels.
func (d *Deleter) Delete(ctx context.Context) (*DeleteResult, error) {
	result := &DeleteResult{}
	if err := checkNamespace(ctx, d.Clients.Kube, d.Namespace, d.Server); err != nil {
		return result, err
	}

	for _, kind := range deleteOrder() {
		refs, err := d.list(ctx, kind)
		if err != nil {
			return result, err
		}
		if kind.data && !d.DeleteData {
			result.Kept = append(result.Kept, refs...)
			continue
		}
		if err := d.deleteAll(ctx, refs, result); err != nil {
			return result, err
		}
	}

	if len(result.Deleted) == 0 && len(result.Kept) == 0 {
		return result, fmt.Errorf("no release %q in namespace %q: no object carries the labels "+
			"%s; check NAME and -n", d.Release, d.Namespace, d.selector())
	}
	if d.Wait {
		return result, d.waitGone(ctx, result.Deleted)
	}
	return result, nil
}

func (d *Deleter) selector() string {
	return labels.SelectorFromSet(labels.Set{
		LabelInstance:  d.Release,
		LabelManagedBy: ManagedByValue,
	}).String()
}

// list returns the release's objects of one kind.
func (d *Deleter) list(ctx context.Context, kind deleteKind) ([]ObjectRef, error) {
	probe := ObjectRef{GVR: kind.gvr, Kind: kind.kind, Namespace: d.Namespace, Name: "*"}
	list, err := resourceClient(d.Clients.Dynamic, probe).List(ctx,
		metav1.ListOptions{LabelSelector: d.selector()})
	if err != nil {
		return nil, explainDelete("list", probe, d.Server, err)
	}

	refs := make([]ObjectRef, 0, len(list.Items))
	for _, item := range list.Items {
		ref := probe
		ref.Name = item.GetName()
		refs = append(refs, ref)
	}
	return refs, nil
}

func (d *Deleter) deleteAll(ctx context.Context, refs []ObjectRef, result *DeleteResult) error {
	background := metav1.DeletePropagationBackground
	for _, ref := range refs {
		err := resourceClient(d.Clients.Dynamic, ref).Delete(ctx, ref.Name,
			metav1.DeleteOptions{PropagationPolicy: &background})
		if apierrors.IsNotFound(err) {
			continue
		}
		if err != nil {
			return explainDelete("delete", ref, d.Server, err)
		}
		result.Deleted = append(result.Deleted, ref)
	}
	return nil
}

// waitGone waits until every deleted object has disappeared (finalizers, pods stopping).
func (d *Deleter) waitGone(ctx context.Context, refs []ObjectRef) error {
	waiter := &Applier{Clients: d.Clients, Progress: d.Progress, PollInterval: d.PollInterval,
		Server: d.Server}
	for _, ref := range refs {
		err := waiter.waitFor(ctx, ref.String()+" to be gone",
			func(ctx context.Context) (bool, string, error) {
				_, err := resourceClient(d.Clients.Dynamic, ref).Get(ctx, ref.Name,
					metav1.GetOptions{})
				if apierrors.IsNotFound(err) {
					return true, "", nil
				}
				return false, "still present", err
			})
		if err != nil {
			return err
		}
	}
	return nil
}

// explainDelete is explain with the verbs delete needs in the fix.
func explainDelete(verb string, ref ObjectRef, server string, err error) error {
	if !apierrors.IsForbidden(err) {
		return explain(verb, ref, server, err)
	}
	resource := ref.GVR.GroupResource().String()
	return fmt.Errorf("not allowed to %s %s in namespace %q: %w; ask an administrator for "+
		"a Role granting list and delete on %s (check with: kubectl auth can-i delete %s%s)",
		verb, resource, ref.Namespace, err, resource, resource, nsFlag(ref.Namespace))
}
