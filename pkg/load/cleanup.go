package load

import (
	"context"
	"fmt"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
)

// CleanupTimeout bounds the deletion of a run's objects, which runs on a fresh context
// after an interruption.
const CleanupTimeout = 30 * time.Second

// goneTimeout bounds the wait for deleted pods to disappear.
const goneTimeout = 20 * time.Second

// LeftoverSelector matches the Jobs and pods of every run, whatever its ID.
func LeftoverSelector() string {
	return labels.Set{LabelManagedBy: ManagedBy}.String() + "," + LabelRun
}

func runSelector(runID string) string {
	return labels.Set{LabelManagedBy: ManagedBy, LabelRun: runID}.String()
}

// Removed counts what a cleanup deleted.
type Removed struct {
	Jobs []string `json:"jobs"`
	Pods []string `json:"pods"`
}

// DeleteRun deletes the Jobs and pods of one run in namespace and waits briefly for the pods
// to be gone.
func DeleteRun(ctx context.Context, client kubernetes.Interface, namespace, runID string) (
	Removed, error) {
	return deleteMatching(ctx, client, namespace, runSelector(runID))
}

// DeleteLeftovers deletes the Jobs and pods of every run in namespace (all namespaces when
// empty), for runs that were interrupted before they could clean up.
func DeleteLeftovers(ctx context.Context, client kubernetes.Interface, namespace string) (
	Removed, error) {
	return deleteMatching(ctx, client, namespace, LeftoverSelector())
}

func deleteMatching(ctx context.Context, client kubernetes.Interface, namespace,
	selector string) (Removed, error) {
	var removed Removed
	opts := metav1.ListOptions{LabelSelector: selector}
	jobs, err := client.BatchV1().Jobs(namespace).List(ctx, opts)
	if err != nil {
		return removed, fmt.Errorf("listing load Jobs (%s): %w", selector, err)
	}
	for i := range jobs.Items {
		if err := deleteJob(ctx, client, &jobs.Items[i]); err != nil {
			return removed, err
		}
		removed.Jobs = append(removed.Jobs, jobs.Items[i].Namespace+"/"+jobs.Items[i].Name)
	}

	pods, err := client.CoreV1().Pods(namespace).List(ctx, opts)
	if err != nil {
		return removed, fmt.Errorf("listing load pods (%s): %w", selector, err)
	}
	for i := range pods.Items {
		if err := deletePod(ctx, client, &pods.Items[i]); err != nil {
			return removed, err
		}
		removed.Pods = append(removed.Pods, pods.Items[i].Namespace+"/"+pods.Items[i].Name)
	}
	return removed, waitGone(ctx, client, namespace, opts)
}

// deleteJob deletes a Job and lets the garbage collector take its pods; the pods are also
// deleted directly, so they go even where the collector is slow.
func deleteJob(ctx context.Context, client kubernetes.Interface, job *batchv1.Job) error {
	policy := metav1.DeletePropagationBackground
	err := client.BatchV1().Jobs(job.Namespace).Delete(ctx, job.Name,
		metav1.DeleteOptions{PropagationPolicy: &policy})
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("deleting load Job %s/%s: %w", job.Namespace, job.Name, err)
	}
	return nil
}

func deletePod(ctx context.Context, client kubernetes.Interface, pod *corev1.Pod) error {
	err := client.CoreV1().Pods(pod.Namespace).Delete(ctx, pod.Name, metav1.DeleteOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("deleting load pod %s/%s: %w", pod.Namespace, pod.Name, err)
	}
	return nil
}

// waitGone waits until no pod matches opts, so that "deleted" means gone.
func waitGone(ctx context.Context, client kubernetes.Interface, namespace string,
	opts metav1.ListOptions) error {
	err := wait.PollUntilContextTimeout(ctx, 500*time.Millisecond, goneTimeout, true,
		func(ctx context.Context) (bool, error) {
			pods, err := client.CoreV1().Pods(namespace).List(ctx, opts)
			if err != nil {
				return false, err
			}
			return len(pods.Items) == 0, nil
		})
	if err != nil {
		return fmt.Errorf("waiting for load pods (%s) to be gone: %w", opts.LabelSelector, err)
	}
	return nil
}
