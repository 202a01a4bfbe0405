package deploy

import (
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// stepKind is one stage of Apply, in dependency order.
type stepKind int

const (
	stepMetricsServer stepKind = iota
	stepSecret
	stepStores
	stepBootstrap
	stepDirectus
	stepAutoscaler
	stepVerify
)

func (k stepKind) title() string {
	switch k {
	case stepMetricsServer:
		return "metrics-server"
	case stepSecret:
		return "secret"
	case stepStores:
		return "database and cache"
	case stepBootstrap:
		return "database migrations (bootstrap job)"
	case stepDirectus:
		return "directus"
	case stepAutoscaler:
		return "autoscaler"
	default:
		return "rollout and autoscaler status"
	}
}

// step is the objects of one stage, with their references.
type step struct {
	kind stepKind
	objs []*unstructured.Unstructured
	refs []ObjectRef
}

// plan sorts rendered objects into steps, keeping their order within a step.
func plan(objs []*unstructured.Unstructured) ([]step, []ObjectRef, error) {
	byKind := map[stepKind]*step{}
	var refs []ObjectRef
	for _, obj := range objs {
		ref, err := refOf(obj)
		if err != nil {
			return nil, nil, err
		}
		kind := classify(obj)
		if byKind[kind] == nil {
			byKind[kind] = &step{kind: kind}
		}
		byKind[kind].objs = append(byKind[kind].objs, obj)
		byKind[kind].refs = append(byKind[kind].refs, ref)
		refs = append(refs, ref)
	}

	for _, single := range []stepKind{stepSecret, stepBootstrap} {
		if s := byKind[single]; s == nil || len(s.objs) != 1 {
			return nil, nil, fmt.Errorf("the release must hold exactly one %s object",
				single.title())
		}
	}

	var steps []step
	for kind := stepMetricsServer; kind < stepVerify; kind++ {
		if s := byKind[kind]; s != nil {
			steps = append(steps, *s)
		}
	}
	return steps, refs, nil
}

// classify places an object in its step by its component label and kind.
func classify(obj *unstructured.Unstructured) stepKind {
	switch obj.GetLabels()[LabelComponent] {
	case ComponentMetricsServer:
		return stepMetricsServer
	case ComponentSecret:
		return stepSecret
	case ComponentDatabase, ComponentCache:
		return stepStores
	case ComponentBootstrap:
		return stepBootstrap
	}
	if obj.GetKind() == "HorizontalPodAutoscaler" {
		return stepAutoscaler
	}
	return stepDirectus
}

// verifyStep waits for the Directus Deployment and the autoscaler of the planned steps.
func verifyStep(steps []step) step {
	verify := step{kind: stepVerify}
	for _, s := range steps {
		if s.kind != stepDirectus && s.kind != stepAutoscaler {
			continue
		}
		for i, ref := range s.refs {
			if ref.Kind == "Deployment" || ref.Kind == "HorizontalPodAutoscaler" {
				verify.objs = append(verify.objs, s.objs[i])
				verify.refs = append(verify.refs, ref)
			}
		}
	}
	return verify
}

// setPodAnnotation sets an annotation of obj's pod template, if the template already has it.
func setPodAnnotation(obj *unstructured.Unstructured, key, value string) {
	path := []string{"spec", "template", "metadata", "annotations", key}
	if _, found, _ := unstructured.NestedString(obj.Object, path...); found {
		_ = unstructured.SetNestedField(obj.Object, value, path...)
	}
}
