package main

import (
	"context"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-directus/kubectl-directus/pkg/printers"
	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
	"github.com/kubectl-directus/kubectl-directus/pkg/view"
)

const statusLong = `Print one line per HPA: its target, metrics as current/target (as
kubectl get hpa prints them), min and max, current and desired replicas, a one-word health,
the condition reason behind it, and how long ago it last scaled.

` + view.HealthHelp

const statusExample = `  # Every HPA in the current namespace
  kubectl directus status

  # Every namespace, refreshed every 15s with changes marked
  kubectl directus status -A --watch`

// statusOptions holds the flags of status.
type statusOptions struct {
	viewOptions
}

// newCmdStatus builds `status`; opts may be prepared by a test.
func newCmdStatus(streams genericiooptions.IOStreams, flags *genericclioptions.ConfigFlags,
	opts *statusOptions) *cobra.Command {
	if opts == nil {
		opts = &statusOptions{viewOptions: newViewOptions(streams)}
	}
	cmd := &cobra.Command{
		Use:     "status [HPA-NAME]",
		Short:   "Print each HPA's metrics, replicas and health in one line",
		Long:    statusLong,
		Example: statusExample,
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.complete(flags, args); err != nil {
				return err
			}
			if err := opts.validate(); err != nil {
				return err
			}
			return opts.run(cmd.Context(), opts.refresh)
		},
	}
	opts.addFlags(cmd, true)
	return cmd
}

// refresh reads the HPAs and their targets only: status needs nothing else.
func (o *statusOptions) refresh(ctx context.Context) (*frame, error) {
	snap, err := o.gather(ctx, o.scope(), 0)
	if err == nil {
		err = requireReadable(snap, "status", snapshot.ResHPAs)
	}
	if err != nil {
		return nil, err
	}
	report := view.Status(snap)
	if err := o.checkFound(len(report.HPAs)); err != nil {
		return nil, err
	}
	notices := append(view.GapNotices(snap), o.noHPAs(len(report.HPAs))...)
	doc := printers.StatusDocument(report, o.now())
	return &frame{doc: doc, data: report, notices: notices}, nil
}
