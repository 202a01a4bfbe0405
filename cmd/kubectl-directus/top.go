package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-directus/kubectl-directus/pkg/printers"
	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
	"github.com/kubectl-directus/kubectl-directus/pkg/view"
)

const topLong = `Show, for the pods of each HPA's target, what the HPA controller sees this cycle:
CPU and memory usage against requests, readiness, and how the controller treats each pod
for each metric:

  counted   its sample enters the average
  unready   left out (Pending, not Ready, or within the cpu initialization period); counts
            as using nothing when the metric would scale up
  missing   no sample from the metrics API; filled in before a scale is decided
  ignored   being deleted or Failed; dropped

Then each metric: the figure the controller computes from those pods now (NOW: sum of usage
over sum of requests of the counted pods, truncated to a whole percent), the value the HPA's
status holds from its last sync, the target, and the replica count the metric proposes.

Reads only: one snapshot of a fixed number of list calls per refresh, whatever the number of
pods. When metrics are unavailable, a notice on stderr says why.`

const topExample = `  # Every HPA in the current namespace
  kubectl directus top

  # One HPA, per container, busiest first, refreshed every 15s
  kubectl directus top directus --containers --sort-by cpu --watch

  # Every namespace, as JSON
  kubectl directus top -A -o json`

// topOptions holds the flags of top.
type topOptions struct {
	viewOptions

	sortBy     string
	containers bool
}

func newTopOptions(streams genericiooptions.IOStreams) *topOptions {
	return &topOptions{viewOptions: newViewOptions(streams)}
}

// newCmdTop builds `top`; opts may be prepared by a test.
func newCmdTop(streams genericiooptions.IOStreams, flags *genericclioptions.ConfigFlags,
	opts *topOptions) *cobra.Command {
	if opts == nil {
		opts = newTopOptions(streams)
	}
	cmd := &cobra.Command{
		Use:     "top [HPA-NAME]",
		Short:   "Show what the HPA sees of each pod, and the utilization it computes",
		Long:    topLong,
		Example: topExample,
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.complete(flags, args); err != nil {
				return err
			}
			if err := opts.validate(); err != nil {
				return err
			}
			return opts.run(cmd.Context())
		},
	}
	opts.addFlags(cmd, true)
	cmd.Flags().StringVar(&opts.sortBy, "sort-by", "",
		"Order pods by usage, highest first: cpu or memory. The default is by name.")
	cmd.Flags().BoolVar(&opts.containers, "containers", false,
		"Print a row per container.")
	cmd.AddCommand(newCmdTopNodes(streams, flags, nil))
	return cmd
}

func (o *topOptions) validate() error {
	if err := o.viewOptions.validate(); err != nil {
		return err
	}
	return validateSortBy(o.sortBy)
}

func validateSortBy(sortBy string) error {
	switch view.SortBy(sortBy) {
	case view.SortByName, view.SortByCPU, view.SortByMemory:
		return nil
	}
	return fmt.Errorf("unknown --sort-by %q: use cpu or memory", sortBy)
}

func (o *topOptions) run(ctx context.Context) error {
	return o.viewOptions.run(ctx, o.refresh)
}

// refresh gathers the HPAs, their pods and metrics, and the metrics pipeline (to say why
// metrics are missing), and builds the report.
func (o *topOptions) refresh(ctx context.Context) (*frame, error) {
	snap, err := o.gather(ctx, o.scope(), snapshot.PartMetrics|snapshot.PartPipeline)
	if err == nil {
		err = requireReadable(snap, "top", snapshot.ResHPAs)
	}
	if err != nil {
		return nil, err
	}
	report := view.Top(snap, view.SortBy(o.sortBy))
	if err := o.checkFound(len(report.HPAs)); err != nil {
		return nil, err
	}
	notices := append(report.Notices, o.noHPAs(len(report.HPAs))...)
	doc := printers.TopDocument(report, printers.TopOptions{Containers: o.containers})
	return &frame{doc: doc, data: report, notices: notices}, nil
}
