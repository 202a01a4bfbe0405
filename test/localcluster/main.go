// Command localcluster starts the project's local control plane (the one the end-to-end tests
// use), prints how to point kubectl and the plugin at it, and deletes it on Ctrl-C.
//
//	make cluster
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

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

	fmt.Printf("Local cluster %s is ready. In another shell:\n\n", c.Name)
	fmt.Printf("  export KUBECONFIG=%s PATH=%s:$PWD/bin:$PATH\n", c.Kubeconfig, c.BinDir)
	fmt.Printf("  kubectl directus deploy -n demo --wait   # after: kubectl create namespace demo\n")
	fmt.Printf("  kubectl directus doctor -n demo\n\nPress Ctrl-C to delete the cluster.\n")

	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	<-signals

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	logf("deleting cluster %s", c.Name)
	return c.Delete(ctx)
}
