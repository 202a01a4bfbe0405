// Command kubectl-directus is a kubectl plugin that deploys Directus with autoscaling and
// explains what its HorizontalPodAutoscaler sees and decides.
package main

import (
	"os"

	"k8s.io/cli-runtime/pkg/genericiooptions"
)

func main() {
	streams := genericiooptions.IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}
	os.Exit(run(os.Args[1:], streams))
}
