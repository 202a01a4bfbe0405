// Package demo is `make demo`: kubectl-directus deploys Directus on the local control plane
// and the real HPA controller scales it under simulated load.
package demo

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-directus/kubectl-directus/test/cluster"
)

// demoEnv must be set for the demo to run: it takes minutes and prints for a person.
const demoEnv = "KUBECTL_DIRECTUS_DEMO"

// Load of the demo: 450m of a 500m CPU request is 90 %, above the 70 % target.
const (
	loadCPU    = "450m"
	loadMemory = "400Mi"
	apiPods    = "app.kubernetes.io/instance=directus,app.kubernetes.io/component=api"
)

func TestMain(m *testing.M) { cluster.Main(m) }

func TestDemo(t *testing.T) {
	if os.Getenv(demoEnv) == "" {
		t.Skip("demo: run with make demo (sets " + demoEnv + "=1)")
	}
	c := cluster.Shared(t)
	ns := c.Namespace(t)
	databaseVolume(t, c, ns)

	step(t, "deploy Directus, PostgreSQL, Valkey and the HPA (short windows for the demo)")
	show(t, c, cluster.Plugin(t), "deploy", "-n", ns, "--wait", "--scale-up-window", "15",
		"--scale-down-window", "60", "--kubeconfig", c.Kubeconfig)
	show(t, c, "kubectl", "get", "deploy,statefulset,job,svc,pdb,hpa,pvc", "-n", ns)

	step(t, "put "+loadCPU+" of CPU (90 % of the request) on every Directus pod")
	replicas := loadUntilScaled(t, c, ns, 6, 8*time.Minute)
	t.Logf("the HPA scaled Directus from 2 to %d replicas", replicas)
	show(t, c, "kubectl", "describe", "hpa", "-n", ns, "directus-directus")

	step(t, "delete the release (the database claim and the Secret stay)")
	show(t, c, cluster.Plugin(t), "delete", "-n", ns, "--kubeconfig", c.Kubeconfig)
}

// loadUntilScaled keeps every Directus pod, new ones included, at the demo load and prints
// the HPA every 15 s until it has want replicas.
func loadUntilScaled(t *testing.T, c *cluster.Cluster, ns string, want int32,
	timeout time.Duration) int32 {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		pods, err := c.Client().CoreV1().Pods(ns).List(t.Context(),
			metav1.ListOptions{LabelSelector: apiPods})
		require.NoError(t, err)
		for _, pod := range pods.Items {
			if pod.Annotations[cluster.UsageCPUAnnotation] != loadCPU {
				c.SetPodUsage(t, ns, pod.Name, loadCPU, loadMemory)
			}
		}

		hpa, err := c.Client().AutoscalingV2().HorizontalPodAutoscalers(ns).Get(t.Context(),
			"directus-directus", metav1.GetOptions{})
		require.NoError(t, err)
		t.Logf("%s  pods %d  %s", time.Now().Format("15:04:05"), len(pods.Items), hpaLine(hpa))
		if hpa.Status.CurrentReplicas >= want {
			return hpa.Status.CurrentReplicas
		}
		time.Sleep(15 * time.Second)
	}
	t.Fatalf("the HPA did not reach %d replicas within %s", want, timeout)
	return 0
}

func hpaLine(hpa *autoscalingv2.HorizontalPodAutoscaler) string {
	line := fmt.Sprintf("replicas %d -> %d", hpa.Status.CurrentReplicas,
		hpa.Status.DesiredReplicas)
	for _, m := range hpa.Status.CurrentMetrics {
		if m.Resource != nil && m.Resource.Current.AverageUtilization != nil {
			line += fmt.Sprintf("  %s %d%%", m.Resource.Name, *m.Resource.Current.AverageUtilization)
		}
	}
	return line
}

func step(t *testing.T, what string) {
	t.Helper()
	t.Logf("==> %s", what)
}

// show runs a command against the cluster with its output on the terminal.
func show(t *testing.T, c *cluster.Cluster, binary string, args ...string) {
	t.Helper()
	if binary == "kubectl" {
		binary = c.BinDir + "/kubectl"
		args = append(args, "--kubeconfig", c.Kubeconfig)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stdout
	require.NoError(t, cmd.Run())
}

// databaseVolume provides the volume the PostgreSQL claim binds: the local control plane has
// no storage provisioner.
func databaseVolume(t *testing.T, c *cluster.Cluster, ns string) {
	pv := &corev1.PersistentVolume{
		ObjectMeta: metav1.ObjectMeta{Name: ns + "-db"},
		Spec: corev1.PersistentVolumeSpec{
			Capacity: corev1.ResourceList{
				corev1.ResourceStorage: resource.MustParse("10Gi")},
			AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			ClaimRef: &corev1.ObjectReference{Namespace: ns,
				Name: "data-directus-postgres-0"},
			PersistentVolumeSource: corev1.PersistentVolumeSource{
				HostPath: &corev1.HostPathVolumeSource{Path: t.TempDir()}},
		},
	}
	_, err := c.Client().CoreV1().PersistentVolumes().Create(t.Context(), pv,
		metav1.CreateOptions{})
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_ = c.Client().CoreV1().PersistentVolumes().Delete(ctx, pv.Name, metav1.DeleteOptions{})
	})
}
