package main

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

// forbid makes every list of resource fail as RBAC refuses it.
func forbid(opts *viewOptions, group, resource string) {
	opts.clients.Kube.(*fake.Clientset).PrependReactor("list", resource,
		func(k8stesting.Action) (bool, runtime.Object, error) {
			return true, nil, apierrors.NewForbidden(
				schema.GroupResource{Group: group, Resource: resource}, "",
				errors.New("no RBAC rule allows it"))
		})
}

// TestEventsWithoutEventsPermissionFails: a user who may not list events gets the missing
// permission and the way to check it, not "no rescale in the events".
func TestEventsWithoutEventsPermissionFails(t *testing.T) {
	f := newFixture()
	out, _, err := runEvents(t, f, context.Background(), func(o *eventsOptions) {
		forbid(&o.viewOptions, "", "events")
	})

	require.Error(t, err)
	assert.Equal(t, "events needs events: missing permission: list events in namespace shop "+
		"(check with `kubectl auth can-i list events -n shop`)", err.Error())
	assert.Empty(t, out)
}

// TestStatusWithoutHPAPermissionFails: without the HPA list there is nothing to report, and
// an empty table would read as "no HPA here".
func TestStatusWithoutHPAPermissionFails(t *testing.T) {
	f := newFixture()
	streams, out, _ := testStreams()
	clients, _ := f.clients(f.statusObjects()...)
	opts := &statusOptions{viewOptions: newViewOptions(streams)}
	f.prepared(t, &opts.viewOptions, clients)
	forbid(&opts.viewOptions, "autoscaling", "horizontalpodautoscalers")

	_, err := opts.refresh(context.Background())

	require.Error(t, err)
	assert.Contains(t, err.Error(), "status needs horizontalpodautoscalers.autoscaling: "+
		"missing permission: list horizontalpodautoscalers.autoscaling in namespace shop")
	assert.Empty(t, out.String())
}
