// Command localcluster starts the project's local control plane (the one the end-to-end tests
// use), prints how to point kubectl and the plugin at it, and deletes it on Ctrl-C.
//
//	make cluster
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-directus/kubectl-directus/test/cluster"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintf(os.Stderr, "error: %v\n", err)
		os.Exit(1)
	}
}

func run() error {
	logf := func(format string, args ...any) { fmt.Fprintf(os.Stderr, format+"\n", args...) }
	c, err := cluster.Start(logf)
	if err != nil {
		return fmt.Errorf("starting the local cluster: %w", err)
	}

	volumes, err := os.MkdirTemp("", "kubectl-directus-volumes-")
	if err != nil {
		return fmt.Errorf("making a directory for the cluster's volumes: %w", err)
	}
	defer os.RemoveAll(volumes)
	if err := provideVolumes(c, volumes); err != nil {
		return errors.Join(err, c.Delete(context.Background()))
	}

	fmt.Printf("Local cluster %s is ready. In another shell:\n\n", c.Name)
	fmt.Printf("  export KUBECONFIG=%s PATH=%s:%s:$PATH\n", c.Kubeconfig, c.BinDir, pluginDir())
	fmt.Printf("  kubectl directus deploy -n demo --wait   # after: kubectl create namespace demo\n")
	fmt.Printf("  kubectl directus doctor -n demo\n\n%d unclaimed volumes of 20Gi wait for "+
		"database claims. Press Ctrl-C to delete the cluster.\n", freeVolumes)

	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	<-signals

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	logf("deleting cluster %s", c.Name)
	return c.Delete(ctx)
}

// freeVolumes is how many volumes the cluster offers to claims: one per database of a
// release, enough for a few releases side by side.
const freeVolumes = 4

// provideVolumes creates unclaimed volumes of 20Gi in dir: the local control plane has no
// storage provisioner, and without them a release's database claim would never bind.
func provideVolumes(c *cluster.Cluster, dir string) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for i := range freeVolumes {
		name := fmt.Sprintf("local-volume-%d", i+1)
		pv := &corev1.PersistentVolume{
			ObjectMeta: metav1.ObjectMeta{Name: name},
			Spec: corev1.PersistentVolumeSpec{
				Capacity:    corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("20Gi")},
				AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
				PersistentVolumeSource: corev1.PersistentVolumeSource{
					HostPath: &corev1.HostPathVolumeSource{Path: filepath.Join(dir, name)}},
			},
		}
		_, err := c.Client().CoreV1().PersistentVolumes().Create(ctx, pv, metav1.CreateOptions{})
		if err != nil {
			return fmt.Errorf("creating volume %s: %w", name, err)
		}
	}
	return nil
}

// pluginDir is where `make build` puts the plugin, as an absolute path: the export line may
// be pasted in a shell anywhere.
func pluginDir() string {
	dir, err := filepath.Abs("bin")
	if err != nil {
		return "$PWD/bin"
	}
	return dir
}
