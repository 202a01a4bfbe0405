package main

import (
	"errors"
	"flag"
	"fmt"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/klog/v2"
)

// Exit codes of the plugin, listed in the root command's help.
const (
	exitOK       = 0
	exitFailed   = 1
	exitFindings = 2
)

// exitError carries an exit code other than 1 up to main, with an optional message.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// run builds the command tree, executes it with args and returns the process exit code.
func run(args []string, streams genericiooptions.IOStreams) int {
	cmd := newRootCmd(streams)
	cmd.SetArgs(args)

	err := cmd.Execute()
	if err == nil {
		return exitOK
	}

	var exit *exitError
	if errors.As(err, &exit) {
		if exit.err != nil {
			fmt.Fprintf(streams.ErrOut, "error: %v\n", exit.err)
		}
		return exit.code
	}
	fmt.Fprintf(streams.ErrOut, "error: %v\n", err)
	return exitFailed
}

const rootLong = `Deploy Directus with a HorizontalPodAutoscaler, and find out why the autoscaler does
or does not scale.

Exit codes: 0 success; 1 the command failed; 2 doctor found an error-level problem.`

// newRootCmd returns the root command with every verb attached. The kubeconfig flags are
// cli-runtime's, so --kubeconfig, --context, -n and --request-timeout behave as in kubectl.
func newRootCmd(streams genericiooptions.IOStreams) *cobra.Command {
	configFlags := genericclioptions.NewConfigFlags(true)

	cmd := &cobra.Command{
		Use:           "kubectl-directus",
		Short:         "Deploy and diagnose an autoscaled Directus on Kubernetes",
		Long:          rootLong,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if offline(cmd) {
				return nil
			}
			return checkKubeconfig(configFlags)
		},
		Annotations: map[string]string{
			cobra.CommandDisplayNameAnnotation: "kubectl directus",
		},
	}
	// Completion goes through the kubectl_complete-directus helper that kubectl runs; cobra's
	// own scripts would complete the binary name kubectl-directus instead.
	cmd.CompletionOptions.HiddenDefaultCmd = true
	cmd.SetOut(streams.Out)
	cmd.SetErr(streams.ErrOut)

	configFlags.AddFlags(cmd.PersistentFlags())
	addKlogFlags(cmd)

	cmd.AddCommand(
		newVersionCmd(streams),
		newCmdDeploy(streams, configFlags),
		newCmdDelete(streams, configFlags),
		newCmdExplain(streams, configFlags, nil),
		newCmdTop(streams, configFlags, nil),
		newCmdStatus(streams, configFlags, nil),
		newCmdEvents(streams, configFlags, nil),
		newCmdLoad(streams, configFlags, nil),
		newCmdDoctor(streams, configFlags, nil),
	)
	return cmd
}

// addKlogFlags exposes only klog's -v on the command line and sends logs to stderr.
func addKlogFlags(cmd *cobra.Command) {
	klogFlags := flag.NewFlagSet("klog", flag.ContinueOnError)
	klog.InitFlags(klogFlags)
	_ = klogFlags.Set("logtostderr", "true")

	cmd.PersistentFlags().AddGoFlag(klogFlags.Lookup("v"))
}
