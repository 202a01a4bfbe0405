package deploy

import (
	"context"
	"fmt"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
)

// check looks once at an object waited for: done, or a short description of what it saw.
type check func(ctx context.Context) (done bool, seen string, err error)

// waitError is a wait that ended with its context, with the object's state last seen.
type waitError struct {
	what string
	seen string
	err  error
}

func (e *waitError) Error() string {
	if e.seen == "" {
		return fmt.Sprintf("waiting for %s: %v", e.what, e.err)
	}
	return fmt.Sprintf("waiting for %s (last seen: %s): %v", e.what, e.seen, e.err)
}

func (e *waitError) Unwrap() error { return e.err }

// waitFor polls c until it is done, fails or ctx ends, with a progress line at the start and
// the end.
func (a *Applier) waitFor(ctx context.Context, what string, c check) error {
	start := time.Now()
	fmt.Fprintf(a.Progress, "      waiting for %s\n", what)

	interval := a.PollInterval
	if interval <= 0 {
		interval = DefaultPollInterval
	}
	var seen string
	poll := func(ctx context.Context) (bool, error) {
		done, now, err := c(ctx)
		seen = now
		return done, err
	}
	err := wait.PollUntilContextCancel(ctx, interval, true, poll)
	if err != nil && ctx.Err() != nil {
		return &waitError{what: what, seen: seen, err: ctx.Err()}
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(a.Progress, "      done: %s (%s)\n", what, time.Since(start).Round(time.Second))
	return nil
}

// getAs reads ref through the dynamic client into the typed object into.
func (a *Applier) getAs(ctx context.Context, ref ObjectRef, into any) error {
	obj, err := resourceClient(a.Clients.Dynamic, ref).Get(ctx, ref.Name, metav1.GetOptions{})
	if err != nil {
		return explain("get", ref, a.Server, err)
	}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(obj.Object, into); err != nil {
		return fmt.Errorf("reading %s: %w", ref, err)
	}
	return nil
}

// waitReady waits for the StatefulSets and Deployments among refs to have every replica
// ready.
func (a *Applier) waitReady(ctx context.Context, refs []ObjectRef) error {
	for _, ref := range refs {
		var c check
		switch ref.Kind {
		case "StatefulSet":
			c = a.statefulSetReady(ref)
		case "Deployment":
			c = a.deploymentReady(ref)
		default:
			continue
		}
		if err := a.waitFor(ctx, ref.String()+" to be ready", c); err != nil {
			return err
		}
	}
	return nil
}

func (a *Applier) statefulSetReady(ref ObjectRef) check {
	return func(ctx context.Context) (bool, string, error) {
		sts := &appsv1.StatefulSet{}
		if err := a.getAs(ctx, ref, sts); err != nil {
			return false, "", err
		}
		want := int32(1)
		if sts.Spec.Replicas != nil {
			want = *sts.Spec.Replicas
		}
		seen := fmt.Sprintf("%d/%d ready", sts.Status.ReadyReplicas, want)
		done := sts.Status.ObservedGeneration >= sts.Generation &&
			sts.Status.UpdatedReplicas == want && sts.Status.ReadyReplicas == want
		if !done {
			seen += a.unboundClaims(ctx, sts)
		}
		return done, seen, nil
	}
}

// claimsGVR is where PersistentVolumeClaims are read.
var claimsGVR = corev1.SchemeGroupVersion.WithResource("persistentvolumeclaims")

// unboundClaims describes the volume claims of the StatefulSet's first pod that no volume
// binds yet, with what to do: on a cluster without a provisioner for their class they stay
// Pending, and the database never starts. Claims it cannot read are left out.
func (a *Applier) unboundClaims(ctx context.Context, sts *appsv1.StatefulSet) string {
	var out string
	for _, template := range sts.Spec.VolumeClaimTemplates {
		name := template.Name + "-" + sts.Name + "-0"
		ref := ObjectRef{GVR: claimsGVR, Kind: "PersistentVolumeClaim",
			Namespace: sts.Namespace, Name: name}
		claim := &corev1.PersistentVolumeClaim{}
		if a.getAs(ctx, ref, claim) != nil || claim.Status.Phase != corev1.ClaimPending {
			continue
		}
		class := "the default class"
		if c := claim.Spec.StorageClassName; c != nil {
			class = fmt.Sprintf("class %q", *c)
		}
		out += fmt.Sprintf("; claim %s Pending: no volume of %s binds it (kubectl describe "+
			"pvc -n %s %s; pass --storage-class with a class that provisions volumes)", name,
			class, sts.Namespace, name)
	}
	return out
}

func (a *Applier) deploymentReady(ref ObjectRef) check {
	return func(ctx context.Context) (bool, string, error) {
		d := &appsv1.Deployment{}
		if err := a.getAs(ctx, ref, d); err != nil {
			return false, "", err
		}
		return rolloutDone(ref, d)
	}
}

// rolloutDone reports a Deployment whose current template runs on every replica, all
// available; a rollout past its progress deadline is an error.
func rolloutDone(ref ObjectRef, d *appsv1.Deployment) (bool, string, error) {
	if d.Status.ObservedGeneration < d.Generation {
		return false, "change not yet observed by the controller", nil
	}
	for _, c := range d.Status.Conditions {
		if c.Type == appsv1.DeploymentProgressing && c.Reason == "ProgressDeadlineExceeded" {
			return false, "", fmt.Errorf("%s %s is stuck: %s; look at its pods "+
				"(kubectl describe pods -n %s -l %s=%s)", ref, location(ref), c.Message,
				ref.Namespace, LabelInstance, d.Labels[LabelInstance])
		}
	}

	want := int32(1)
	if d.Spec.Replicas != nil {
		want = *d.Spec.Replicas
	}
	st := d.Status
	seen := fmt.Sprintf("%d/%d updated, %d available", st.UpdatedReplicas, want,
		st.AvailableReplicas)
	done := st.UpdatedReplicas == want && st.Replicas == want && st.AvailableReplicas == want
	return done, seen, nil
}

// jobState returns "complete", "failed" with the condition's reason and message, or
// "running".
func jobState(job *batchv1.Job) (state, detail string) {
	for _, c := range job.Status.Conditions {
		if c.Status != corev1.ConditionTrue {
			continue
		}
		switch c.Type {
		case batchv1.JobComplete:
			return "complete", ""
		case batchv1.JobFailed:
			return "failed", fmt.Sprintf("%s: %s", c.Reason, c.Message)
		}
	}
	return "running", fmt.Sprintf("%d active, %d failed", job.Status.Active, job.Status.Failed)
}

func (a *Applier) jobComplete(ref ObjectRef) check {
	return func(ctx context.Context) (bool, string, error) {
		job := &batchv1.Job{}
		if err := a.getAs(ctx, ref, job); err != nil {
			return false, "", err
		}
		state, detail := jobState(job)
		if state == "failed" {
			return false, detail, jobFailed(ref, detail)
		}
		return state == "complete", detail, nil
	}
}

func jobFailed(ref ObjectRef, detail string) error {
	return fmt.Errorf("%s %s failed (%s): the database was not migrated for this image; "+
		"read its logs (kubectl logs -n %s job/%s), fix the cause, delete the job "+
		"(kubectl delete job -n %s %s) and run deploy again", ref, location(ref), detail,
		ref.Namespace, ref.Name, ref.Namespace, ref.Name)
}

// hpaActive waits for the autoscaler's ScalingActive condition: it computes replicas from
// metrics.
func (a *Applier) hpaActive(ref ObjectRef) check {
	return func(ctx context.Context) (bool, string, error) {
		hpa := &autoscalingv2.HorizontalPodAutoscaler{}
		if err := a.getAs(ctx, ref, hpa); err != nil {
			return false, "", err
		}
		for _, c := range hpa.Status.Conditions {
			if c.Type == autoscalingv2.ScalingActive {
				return c.Status == corev1.ConditionTrue, c.Reason + ": " + c.Message, nil
			}
		}
		return false, "no status from the controller yet", nil
	}
}

// verify waits for the Directus rollout and for the autoscaler to be active.
func (a *Applier) verify(ctx context.Context, refs []ObjectRef) error {
	for _, ref := range refs {
		var err error
		switch ref.Kind {
		case "Deployment":
			err = a.waitFor(ctx, ref.String()+" to roll out", a.deploymentReady(ref))
		case "HorizontalPodAutoscaler":
			err = a.waitFor(ctx, ref.String()+" to be active (ScalingActive=True)",
				a.hpaActive(ref))
		}
		if err != nil {
			return err
		}
	}
	return nil
}
