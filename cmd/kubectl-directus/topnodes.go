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

const topNodesLong = `Show each node's allocatable CPU and memory, and what its pods request
and use of it. Then, for each HPA of the namespace (every HPA with -A), whether the nodes have
room for its target at maxReplicas: how many more pods of the target's template fit on the
Ready, schedulable nodes whose taints, node selector and required node affinity admit them.
Pod affinity and topology spread are not considered, so ROOM is an upper bound when the
template uses them.

Reads the pods of every namespace, since all of them take room on the nodes.`

// topNodesOptions holds the flags of `top nodes`.
type topNodesOptions struct {
	viewOptions
}

// newCmdTopNodes builds `top nodes`; opts may be prepared by a test.
func newCmdTopNodes(streams genericiooptions.IOStreams, flags *genericclioptions.ConfigFlags,
	opts *topNodesOptions) *cobra.Command {
	if opts == nil {
		opts = &topNodesOptions{viewOptions: newViewOptions(streams)}
	}
	cmd := &cobra.Command{
		Use:   "nodes [HPA-NAME]",
		Short: "Show node capacity, requests and usage, and whether each HPA's maxReplicas fits",
		Long:  topNodesLong,
		Args:  cobra.MaximumNArgs(1),
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

// refresh reads nodes, node metrics and the pods of every namespace.
func (o *topNodesOptions) refresh(ctx context.Context) (*frame, error) {
	parts := snapshot.PartNodes | snapshot.PartMetrics | snapshot.PartPipeline
	snap, err := o.gather(ctx, snapshot.Scope{AllNamespaces: true}, parts)
	if err != nil {
		return nil, err
	}
	report := view.Nodes(snap, o.scope())
	doc := printers.NodesDocument(report, o.allNamespaces)
	return &frame{doc: doc, data: report, notices: report.Notices}, nil
}
