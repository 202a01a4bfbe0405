package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-directus/kubectl-directus/pkg/deploy"
	"github.com/kubectl-directus/kubectl-directus/pkg/kube"
)

const deleteLong = `Delete what deploy created for a release.

The database volume claim and the Secret (Directus' SECRET, the admin, database and cache
passwords) are kept, so that deploying again finds the data; --delete-data removes them too.
metrics-server, shared by the whole cluster, is never removed.`

const deleteExample = `  # Remove the release "directus" from namespace cms, keeping its data
  kubectl directus delete -n cms

  # Remove everything, including the database volume claim and the Secret
  kubectl directus delete cms --delete-data`

// deleteOptions holds the flags and clients of the delete verb.
type deleteOptions struct {
	configFlags *genericclioptions.ConfigFlags
	streams     genericiooptions.IOStreams

	name       string
	namespace  string
	deleteData bool
	wait       bool
	timeout    time.Duration

	// clients is built by Run; tests may preset it.
	clients *kube.Clients
}

func newDeleteOptions(streams genericiooptions.IOStreams,
	flags *genericclioptions.ConfigFlags) *deleteOptions {
	return &deleteOptions{
		configFlags: flags,
		streams:     streams,
		name:        deploy.DefaultName,
		timeout:     5 * time.Minute,
	}
}

func newCmdDelete(streams genericiooptions.IOStreams,
	flags *genericclioptions.ConfigFlags) *cobra.Command {
	o := newDeleteOptions(streams, flags)
	cmd := &cobra.Command{
		Use:     "delete [NAME]",
		Short:   "Delete a Directus release, keeping its data unless --delete-data",
		Long:    deleteLong,
		Example: deleteExample,
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.Complete(args); err != nil {
				return err
			}
			if err := o.Validate(); err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return o.Run(ctx)
		},
	}
	o.AddFlags(cmd.Flags())
	return cmd
}

// AddFlags binds the verb's flags to o.
func (o *deleteOptions) AddFlags(fs *pflag.FlagSet) {
	fs.BoolVar(&o.deleteData, "delete-data", false,
		"Also delete the database volume claim and the Secret: the data is lost.")
	fs.BoolVar(&o.wait, "wait", false, "Wait until every deleted object is gone.")
	fs.DurationVar(&o.timeout, "timeout", o.timeout, "Give up after this long.")
}

// Complete takes NAME and the namespace from the command line and kubeconfig.
func (o *deleteOptions) Complete(args []string) error {
	if len(args) == 1 {
		o.name = args[0]
	}
	namespace, _, err := o.configFlags.ToRawKubeConfigLoader().Namespace()
	if err != nil {
		return fmt.Errorf("reading the namespace from kubeconfig: %w", err)
	}
	o.namespace = namespace
	return nil
}

// Validate refuses a NAME deploy could not have created and a non-positive timeout.
func (o *deleteOptions) Validate() error {
	if msgs := validation.IsDNS1035Label(o.name); len(msgs) > 0 {
		return fmt.Errorf("NAME %q is not a DNS label: %s", o.name, strings.Join(msgs, "; "))
	}
	if o.timeout <= 0 {
		return fmt.Errorf("--timeout %s must be positive, e.g. 5m", o.timeout)
	}
	return nil
}

// Run deletes the release, prints what it deleted on stdout and what it kept on stderr.
func (o *deleteOptions) Run(ctx context.Context) error {
	if o.clients == nil {
		clients, err := kube.NewClients(o.configFlags)
		if err != nil {
			return err
		}
		o.clients = clients
	}
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()

	deleter := &deploy.Deleter{
		Clients:    deploy.Clients{Dynamic: o.clients.Dynamic, Kube: o.clients.Kube},
		Release:    o.name,
		Namespace:  o.namespace,
		DeleteData: o.deleteData,
		Progress:   o.streams.ErrOut,
		Wait:       o.wait,
		Server:     o.clients.Config.Host,
	}
	result, err := deleter.Delete(ctx)
	for _, ref := range result.Deleted {
		fmt.Fprintf(o.streams.Out, "%s deleted\n", ref)
	}
	if len(result.Kept) > 0 {
		kept := make([]string, 0, len(result.Kept))
		for _, ref := range result.Kept {
			kept = append(kept, ref.String())
		}
		fmt.Fprintf(o.streams.ErrOut, "kept %s: they hold the data; delete --delete-data "+
			"removes them\n", strings.Join(kept, ", "))
	}
	return err
}
