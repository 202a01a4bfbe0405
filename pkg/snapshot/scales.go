package snapshot

import (
	"context"
	"errors"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// builtinScaleKinds are the targets whose scale Gather derives from the listed objects.
var builtinScaleKinds = map[string]bool{
	"apps/Deployment": true, "apps/StatefulSet": true, "apps/ReplicaSet": true,
}

// ErrNoScale marks a target whose kind serves no scale subresource, a DaemonSet for example:
// the object may well exist, but no HPA can scale it.
var ErrNoScale = errors.New("the kind has no scale subresource")

// scales reads the scale subresource of every target that is not a listed built-in kind.
// This costs one call per such target; Directus targets are Deployments and need none.
func (g *gatherer) scales(ctx context.Context) error {
	g.snap.Scales = map[TargetKey]Scale{}
	for _, hpa := range g.snap.HPAs {
		key := KeyOf(&hpa)
		gv, err := schema.ParseGroupVersion(key.APIVersion)
		if err != nil || builtinScaleKinds[gv.Group+"/"+key.Kind] {
			continue
		}
		if _, done := g.snap.Scales[key]; done {
			continue
		}
		g.snap.Scales[key] = g.readScale(ctx, key, gv)
	}
	return nil
}

func (g *gatherer) readScale(ctx context.Context, key TargetKey, gv schema.GroupVersion) Scale {
	if g.clients.Mapper == nil {
		return Scale{Err: fmt.Errorf("no REST mapper to resolve kind %s", key.Kind)}
	}
	mapping, err := g.clients.Mapper.RESTMapping(gv.WithKind(key.Kind).GroupKind(), gv.Version)
	if err != nil {
		return Scale{Err: fmt.Errorf("resolving %s %s: %w", key.APIVersion, key.Kind, err)}
	}

	resource := mapping.Resource.GroupResource()
	scale, err := g.clients.Scale.Scales(key.Namespace).Get(ctx, resource, key.Name,
		metav1.GetOptions{})
	if noScaleSubresource(err) {
		return Scale{Err: fmt.Errorf("%s: %w (the API server answers %q)", resource, ErrNoScale,
			err.Error())}
	}
	if err != nil {
		g.record("get", resource.String()+"/scale", key.Namespace, err)
		return Scale{Err: err}
	}
	return Scale{SpecReplicas: scale.Spec.Replicas, StatusReplicas: scale.Status.Replicas,
		Selector: scale.Status.Selector}
}

// noScaleSubresource reports the API server's bare 404 for a subresource it does not serve,
// told apart from an object that does not exist by the missing object name.
func noScaleSubresource(err error) bool {
	var status apierrors.APIStatus
	if !apierrors.IsNotFound(err) || !errors.As(err, &status) {
		return false
	}
	details := status.Status().Details
	return details == nil || details.Name == ""
}
