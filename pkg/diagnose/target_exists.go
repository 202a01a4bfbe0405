package diagnose

import (
	"errors"
	"fmt"
	"strings"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
)

const (
	idTargetExists   = "HPA-TGT-001"
	idTargetSelector = "HPA-TGT-002"
)

// instanceLabel is the label charts stamp on every object of a release.
const instanceLabel = "app.kubernetes.io/instance"

func targetExistsCheck() Check {
	return Check{ID: idTargetExists, Area: AreaTarget,
		Title: "scaleTargetRef names a workload that exists, in a served apiVersion",
		Needs: []string{snapshot.ResDeployments, snapshot.ResStatefulSets, snapshot.ResReplicaSets},
		RunHPA: func(_ CheckContext, snap *snapshot.Snapshot,
			hpa *autoscalingv2.HorizontalPodAutoscaler) []Finding {
			target := snap.TargetOf(hpa)
			switch {
			case !target.Found:
				return []Finding{targetMissing(snap, hpa, target)}
			case !versionServed(snap, target.Key.APIVersion):
				return []Finding{versionNotServed(hpa, target)}
			}
			return nil
		}}
}

func describeRef(key snapshot.TargetKey) string {
	return fmt.Sprintf("%s %s/%s (apiVersion %s)", key.Kind, key.Namespace, key.Name,
		key.APIVersion)
}

// targetMissing reports a target that does not exist, or whose scale could not be read, with
// the workloads the HPA was probably meant for.
func targetMissing(snap *snapshot.Snapshot, hpa *autoscalingv2.HorizontalPodAutoscaler,
	target *snapshot.Target) Finding {
	key := target.Key
	f := Finding{ID: idTargetExists, Severity: Error, Subject: hpaSubject(hpa),
		Message: fmt.Sprintf("scale target %s %s does not exist in namespace %s: the HPA does "+
			"nothing", key.Kind, key.Name, key.Namespace),
		Evidence: []string{"scaleTargetRef: " + describeRef(key)}}
	if target.Err != nil && !apierrors.IsNotFound(target.Err) {
		f.Message = fmt.Sprintf("the scale of target %s %s cannot be read: the HPA does nothing",
			key.Kind, key.Name)
		f.Evidence = append(f.Evidence, "error: "+target.Err.Error())
	}
	if c, ok := condition(hpa, autoscalingv2.AbleToScale); ok && c.Status != corev1.ConditionTrue {
		f.Evidence = append(f.Evidence, describeCondition(c))
	}

	if errors.Is(target.Err, snapshot.ErrNoScale) {
		f.Message = fmt.Sprintf("target %s %s has no scale subresource: no HPA can scale a %s",
			key.Kind, key.Name, key.Kind)
		f.Remediation = "point scaleTargetRef at a Deployment, StatefulSet or ReplicaSet (or a " +
			"custom resource that serves the scale subresource), or delete the HPA"
		return f
	}

	f.Evidence = append(f.Evidence, likelyTargets(snap, key)...)
	kind, name := key.Kind, "<workload>"
	if w, ok := bestCandidate(snap, key); ok {
		kind, name = w.kind, w.meta.Name
	}
	f.Remediation = fmt.Sprintf("point scaleTargetRef at the real workload, e.g. `kubectl -n "+
		"%s patch hpa %s --type merge -p '{\"spec\":{\"scaleTargetRef\":{\"kind\":\"%s\","+
		"\"name\":\"%s\"}}}'`; if a chart renders both objects, fix its HPA template or values "+
		"so the next upgrade does not undo it", hpa.Namespace, hpa.Name, kind, name)
	return f
}

// workloadRef is a Deployment or StatefulSet of the snapshot, as a candidate target.
type workloadRef struct {
	kind   string
	meta   *metav1.ObjectMeta
	labels map[string]string
	spec   *corev1.PodSpec
}

func workloadsIn(snap *snapshot.Snapshot, ns string) []workloadRef {
	var out []workloadRef
	for i := range snap.Deployments {
		d := &snap.Deployments[i]
		if d.Namespace == ns {
			out = append(out, workloadRef{"Deployment", &d.ObjectMeta, d.Labels,
				&d.Spec.Template.Spec})
		}
	}
	for i := range snap.StatefulSets {
		s := &snap.StatefulSets[i]
		if s.Namespace == ns {
			out = append(out, workloadRef{"StatefulSet", &s.ObjectMeta, s.Labels,
				&s.Spec.Template.Spec})
		}
	}
	return out
}

// likelyTargets names workloads of any kind in the namespace that the reference probably
// meant: same name with another kind, a name containing it, the release's instance label,
// or the Directus image.
func likelyTargets(snap *snapshot.Snapshot, key snapshot.TargetKey) []string {
	var out []string
	for _, w := range workloadsIn(snap, key.Namespace) {
		var why []string
		switch {
		case w.meta.Name == key.Name && w.kind != key.Kind:
			out = append(out, fmt.Sprintf("a %s named %s exists; the HPA asks for a %s",
				w.kind, w.meta.Name, key.Kind))
			continue
		case strings.Contains(w.meta.Name, key.Name) || strings.Contains(key.Name, w.meta.Name):
			why = append(why, "similar name")
		}
		if w.labels[instanceLabel] == key.Name {
			why = append(why, instanceLabel+"="+key.Name)
		}
		if runsDirectus(w.spec) {
			why = append(why, "runs the Directus image")
		}
		if len(why) > 0 {
			out = append(out, fmt.Sprintf("likely intended target: %s %s/%s (%s)", w.kind,
				w.meta.Namespace, w.meta.Name, strings.Join(why, ", ")))
		}
	}
	return out
}

func runsDirectus(spec *corev1.PodSpec) bool {
	for _, c := range spec.Containers {
		if strings.Contains(c.Image, "directus/directus") {
			return true
		}
	}
	return false
}

// bestCandidate picks the workload the patch command suggests.
func bestCandidate(snap *snapshot.Snapshot, key snapshot.TargetKey) (workloadRef, bool) {
	var best workloadRef
	found := false
	for _, w := range workloadsIn(snap, key.Namespace) {
		switch {
		case w.meta.Name == key.Name:
			return w, true
		case !found && (w.labels[instanceLabel] == key.Name || runsDirectus(w.spec) ||
			strings.Contains(w.meta.Name, key.Name)):
			best, found = w, true
		}
	}
	return best, found
}

// versionServed reports whether discovery serves the group/version; unknown when discovery
// could not be read.
func versionServed(snap *snapshot.Snapshot, apiVersion string) bool {
	return len(snap.ServedGroups) == 0 || snap.ServedGroups[apiVersion]
}

func versionNotServed(hpa *autoscalingv2.HorizontalPodAutoscaler, target *snapshot.Target) Finding {
	key := target.Key
	return Finding{ID: idTargetExists, Severity: Error, Subject: hpaSubject(hpa),
		Message: fmt.Sprintf("scaleTargetRef.apiVersion %s is not served by this cluster: the "+
			"controller cannot map it to the %s", key.APIVersion, key.Kind),
		Evidence:    []string{"scaleTargetRef: " + describeRef(key)},
		Remediation: "set scaleTargetRef.apiVersion to a served version, e.g. apps/v1"}
}

func targetSelectorCheck() Check {
	return Check{ID: idTargetSelector, Area: AreaTarget,
		Title:       "the target's scale subresource has a valid selector that picks its pods",
		ExplainedBy: []string{idTargetExists},
		RunHPA: func(_ CheckContext, snap *snapshot.Snapshot,
			hpa *autoscalingv2.HorizontalPodAutoscaler) []Finding {
			target := snap.TargetOf(hpa)
			switch {
			case !target.Found:
				return nil
			case target.SelectorErr != nil:
				return []Finding{{ID: idTargetSelector, Severity: Error, Subject: hpaSubject(hpa),
					Message: fmt.Sprintf("target %s %s has no usable selector: the HPA cannot "+
						"find its pods", target.Key.Kind, target.Key.Name),
					Evidence:    []string{"selector error: " + target.SelectorErr.Error()},
					Remediation: "give the workload a label selector matching its pod template"}}
			}
			return selectsNothing(snap, hpa, target)
		}}
}

// selectsNothing reports a custom scale target that says it runs replicas while the selector
// of its scale subresource picks no pod of the namespace: the controller has nothing to
// measure, ever. Built-in kinds are left out: the API server makes their selector match their
// template, so no pods there is a start-up or a rollout, for the other checks.
func selectsNothing(snap *snapshot.Snapshot, hpa *autoscalingv2.HorizontalPodAutoscaler,
	target *snapshot.Target) []Finding {
	if _, gap := snap.GapFor(snapshot.ResPods); gap || target.Template != nil ||
		target.StatusReplicas == 0 || len(snap.PodsMatching(hpa.Namespace, target.Selector)) > 0 {
		return nil
	}
	return []Finding{{ID: idTargetSelector, Severity: Error, Subject: hpaSubject(hpa),
		Message: fmt.Sprintf("the selector of target %s %s matches no pod, though it reports "+
			"%d replicas: the HPA has nothing to measure and never scales", target.Key.Kind,
			target.Key.Name, target.StatusReplicas),
		Evidence: []string{fmt.Sprintf("selector %s matches no pod in namespace %s",
			target.Selector, hpa.Namespace)},
		Remediation: "make the scale subresource's selector (status.selector of a custom " +
			"resource) match the labels of the pods the target runs"}}
}
