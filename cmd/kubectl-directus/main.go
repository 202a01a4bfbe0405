// Command kubectl-directus is a kubectl plugin that deploys Directus with autoscaling and
// explains what its HorizontalPodAutoscaler sees and decides.
package main

import (
	"os"
	"runtime/debug"

	"k8s.io/cli-runtime/pkg/genericiooptions"
)

// heapLimit is the plugin's soft memory limit unless GOMEMLIMIT sets another. The read-only
// verbs hold a whole cluster's objects at once (10,000 pods are some 70 MB), and without a
// limit the garbage collector lets the heap grow to twice that between collections. Near the
// limit it collects more often instead; it never fails an allocation.
const heapLimit = 128 << 20

func main() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(heapLimit)
	}
	streams := genericiooptions.IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}
	os.Exit(run(os.Args[1:], streams))
}
