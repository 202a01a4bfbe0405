package snapshot

import (
	"context"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// builtinScaleKinds are the targets whose scale Gather derives from the listed objects.
var builtinScaleKinds = map[string]bool{
	"apps/Deployment": true, "apps/StatefulSet": true, "apps/ReplicaSet": true,
}

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
	if err != nil {
		g.record("get", resource.String()+"/scale", key.Namespace, err)
		return Scale{Err: err}
	}
	return Scale{SpecReplicas: scale.Spec.Replicas, StatusReplicas: scale.Status.Replicas,
		Selector: scale.Status.Selector}
}
