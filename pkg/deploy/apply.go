package deploy

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/klog/v2"
)

// DefaultPollInterval is how often waits look at the objects they wait for.
const DefaultPollInterval = time.Second

// Clients are the API clients Apply and Delete use.
type Clients struct {
	Dynamic dynamic.Interface
	Kube    kubernetes.Interface
}

// Applier applies a rendered release: server-side apply in dependency order, with a wait
// after each step whose successor depends on it.
type Applier struct {
	Clients Clients
	// Release and Namespace are the release's NAME and namespace.
	Release   string
	Namespace string
	// Progress receives one line per step, object and wait (stderr in the plugin).
	Progress io.Writer
	// ServerDryRun sends every write as a dry run: the server validates, nothing is stored.
	ServerDryRun bool
	// Wait also waits, at the end, for the Directus rollout and for the autoscaler to be
	// active. The database, cache and bootstrap Job are always waited for: the next step
	// needs them.
	Wait bool
	// PollInterval between looks at an object waited for; 0 means DefaultPollInterval.
	PollInterval time.Duration
	// Server is the API server's address, for messages.
	Server string
}

// Apply applies objs, rendered by Render, and reports what it did. On error the Summary
// holds what was applied before it; every step is safe to repeat, so running Apply again
// completes the release.
func (a *Applier) Apply(ctx context.Context, objs []*unstructured.Unstructured) (*Summary, error) {
	summary := &Summary{DryRun: a.ServerDryRun}
	steps, refs, err := plan(objs)
	if err != nil {
		return summary, err
	}

	state, err := a.preflight(ctx, objs, refs)
	if err != nil {
		return summary, err
	}
	a.warnAboutMetrics(ctx, refs, objs, state)

	if a.Wait && !a.ServerDryRun {
		steps = append(steps, verifyStep(steps))
	}
	for i, s := range steps {
		fmt.Fprintf(a.Progress, "[%d/%d] %s\n", i+1, len(steps), s.kind.title())
		if err := a.runStep(ctx, s, state, summary); err != nil {
			return summary, a.stepError(ctx, i+1, len(steps), s, err)
		}
	}
	return summary, nil
}

// runStep applies the objects of one step and waits for what the next step needs.
func (a *Applier) runStep(ctx context.Context, s step, state *applyState, summary *Summary) error {
	switch s.kind {
	case stepMetricsServer:
		return a.applyMetricsServer(ctx, s, state, summary)
	case stepSecret:
		return a.ensureSecret(ctx, s.objs[0], s.refs[0], state, summary)
	case stepBootstrap:
		return a.runBootstrap(ctx, s.objs[0], s.refs[0], state, summary)
	case stepVerify:
		return a.verify(ctx, s.refs)
	}

	if err := a.applyAll(ctx, s, state, summary); err != nil {
		return err
	}
	if s.kind == stepStores && !a.ServerDryRun {
		return a.waitReady(ctx, s.refs)
	}
	return nil
}

func (a *Applier) applyAll(ctx context.Context, s step, state *applyState, summary *Summary) error {
	for i, obj := range s.objs {
		if err := a.applyOne(ctx, obj, s.refs[i], state, summary); err != nil {
			return err
		}
	}
	return nil
}

// applyOne server-side applies obj and records whether it was created, changed or left as
// it was, judged against the object read just before.
func (a *Applier) applyOne(ctx context.Context, obj *unstructured.Unstructured, ref ObjectRef,
	state *applyState, summary *Summary) error {
	if state.secretHash != "" {
		obj = obj.DeepCopy()
		setPodAnnotation(obj, SecretHashAnnotation, state.secretHash)
	}
	opts := metav1.ApplyOptions{FieldManager: FieldManager, Force: true}
	if a.ServerDryRun {
		opts.DryRun = []string{metav1.DryRunAll}
	}

	client := resourceClient(a.Clients.Dynamic, ref)
	before, err := client.Get(ctx, ref.Name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		before, err = nil, nil
	}
	if err != nil {
		return explain("get", ref, a.Server, err)
	}
	after, err := client.Apply(ctx, ref.Name, obj, opts)
	if err != nil {
		return explain("apply", ref, a.Server, err)
	}

	action := compare(before, after, a.ServerDryRun)
	a.record(summary, Result{Ref: ref, Action: action, Object: after})
	return nil
}

func (a *Applier) record(summary *Summary, r Result) {
	summary.Results = append(summary.Results, r)
	fmt.Fprintf(a.Progress, "      %s %s\n", r.Ref, r.Action)
}

// ensureSecret creates the Secret with the rendered values when it does not exist, and
// otherwise only reads it: its values are never regenerated. Pod templates then carry the
// hash of the values in effect.
func (a *Applier) ensureSecret(ctx context.Context, obj *unstructured.Unstructured, ref ObjectRef,
	state *applyState, summary *Summary) error {
	current := state.existing[ref]
	action := Unchanged
	if current == nil {
		created, isNew, err := a.createSecret(ctx, ref, obj)
		if err != nil {
			return err
		}
		current = created
		if isNew {
			action = Created
		}
	}

	values, err := secretValuesOf(current)
	if err != nil {
		return fmt.Errorf("%s %s: %w", ref, location(ref), err)
	}
	if missing := values.Missing(); len(missing) > 0 {
		return fmt.Errorf("%s %s lacks the keys %v: add them, or delete the Secret to have "+
			"new values made (the database keeps its old password, so only on a new volume)",
			ref, location(ref), missing)
	}

	state.secretHash = values.Hash()
	a.record(summary, Result{Ref: ref, Action: action, Object: current})
	return nil
}

// createSecret creates the Secret. When it appeared meanwhile, the existing one is returned
// with isNew false.
func (a *Applier) createSecret(ctx context.Context, ref ObjectRef,
	obj *unstructured.Unstructured) (secret *unstructured.Unstructured, isNew bool, err error) {
	opts := metav1.CreateOptions{FieldManager: FieldManager}
	if a.ServerDryRun {
		opts.DryRun = []string{metav1.DryRunAll}
	}

	client := resourceClient(a.Clients.Dynamic, ref)
	secret, err = client.Create(ctx, obj, opts)
	if err == nil {
		return secret, true, nil
	}
	if !apierrors.IsAlreadyExists(err) {
		return nil, false, explain("create", ref, a.Server, err)
	}

	klog.V(2).Infof("%s appeared meanwhile; reading it", ref)
	secret, err = client.Get(ctx, ref.Name, metav1.GetOptions{})
	if err != nil {
		return nil, false, explain("get", ref, a.Server, err)
	}
	if !ours(secret, obj.GetLabels()[LabelInstance]) {
		return nil, false, fmt.Errorf("%s %s was just created by %s: delete it, or deploy "+
			"under another NAME", ref, location(ref), managerOf(secret))
	}
	return secret, false, nil
}

// secretValuesOf decodes the data of a Secret read through the dynamic client.
func secretValuesOf(secret *unstructured.Unstructured) (SecretValues, error) {
	data, _, err := unstructured.NestedStringMap(secret.Object, "data")
	if err != nil {
		return nil, fmt.Errorf("reading data: %w", err)
	}
	values := SecretValues{}
	for key, encoded := range data {
		value, err := base64.StdEncoding.DecodeString(encoded)
		if err != nil {
			return nil, fmt.Errorf("key %s is not base64: %w", key, err)
		}
		values[key] = value
	}
	return values, nil
}

// compare tells what an apply did. A write that changes nothing keeps the resourceVersion.
// A dry run never changes it, and controllers may write status meanwhile, so otherwise the
// contents without status and server-kept metadata decide.
func compare(before, after *unstructured.Unstructured, dryRun bool) Action {
	switch {
	case before == nil:
		return Created
	case !dryRun && before.GetResourceVersion() == after.GetResourceVersion():
		return Unchanged
	case sameContent(before, after):
		return Unchanged
	default:
		return Changed
	}
}

// stepError says at which step Apply stopped and, when it was interrupted or ran out of
// time, that running deploy again completes the release.
func (a *Applier) stepError(ctx context.Context, n, total int, s step, err error) error {
	if ctx.Err() == nil {
		return fmt.Errorf("step %d/%d (%s): %w", n, total, s.kind.title(), err)
	}
	cause := "interrupted"
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		cause = "timed out (raise --timeout if the cluster is slow)"
	}
	return fmt.Errorf("%s at step %d/%d (%s): %w; every object applied so far is complete, "+
		"run the same deploy again to finish", cause, n, total, s.kind.title(), err)
}
