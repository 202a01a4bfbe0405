package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/klog/v2"

	"github.com/kubectl-directus/kubectl-directus/pkg/kube"
	"github.com/kubectl-directus/kubectl-directus/pkg/metrics"
	"github.com/kubectl-directus/kubectl-directus/pkg/printers"
	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
)

const explainLong = `Reproduce the HPA controller's next decision for one HPA, step by step:
each metric's pods, utilization and proposal, the winner, stabilization, rate policies and
min/max, the conditions the controller would write, and when the next scale-up or
scale-down can happen at the earliest.

The controller keeps its recommendation history in memory; explain rebuilds it from the
HPA's rescale events and says what it had to assume. Controller flags (tolerance, windows,
sync period) are not visible through the API: their defaults are assumed and reported.

What-if flags recompute the decision from hypothetical inputs, so targets can be tuned
before they are changed. Read-only: explain makes no write request.`

const explainExample = `  # Why is the directus HPA (not) scaling?
  kubectl directus explain directus -n cms

  # What would it do if every pod used 150% of its cpu request, with 5 replicas?
  kubectl directus explain directus -n cms --cpu 150% --replicas 5

  # One pod at 900m cpu, as JSON for a pipeline
  kubectl directus explain directus -n cms --usage directus-7d9f-abcde=900m -o json`

// gatherFunc reads a snapshot; tests replace it with a hand-built one.
type gatherFunc func(ctx context.Context, scope snapshot.Scope) (*snapshot.Snapshot, error)

// explainOptions holds the explain verb's flags and what Complete derives from them.
type explainOptions struct {
	configFlags *genericclioptions.ConfigFlags
	streams     genericiooptions.IOStreams

	name      string
	namespace string
	output    string
	cpu       string
	memory    string
	usage     []string
	replicas  int32

	replicasSet bool
	whatIf      metrics.WhatIf
	gather      gatherFunc
}

func newExplainOptions(streams genericiooptions.IOStreams,
	flags *genericclioptions.ConfigFlags) *explainOptions {
	return &explainOptions{configFlags: flags, streams: streams, output: "text"}
}

// newCmdExplain returns the explain verb; o may be a prepared Options (tests), else nil.
func newCmdExplain(streams genericiooptions.IOStreams, flags *genericclioptions.ConfigFlags,
	o *explainOptions) *cobra.Command {
	if o == nil {
		o = newExplainOptions(streams, flags)
	}
	cmd := &cobra.Command{
		Use:     "explain HPA-NAME [-n NAMESPACE]",
		Short:   "Reproduce the HPA controller's decision step by step, with what-if inputs",
		Long:    explainLong,
		Example: explainExample,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.Complete(cmd, args); err != nil {
				return err
			}
			if err := o.Validate(); err != nil {
				return err
			}
			return o.Run(cmd.Context())
		},
	}
	o.AddFlags(cmd)
	return cmd
}

// AddFlags registers explain's own flags.
func (o *explainOptions) AddFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVarP(&o.output, "output", "o", o.output,
		"Output format: "+strings.Join(printers.ExplainOutputs(), "|"))
	f.StringVar(&o.cpu, "cpu", "",
		"What-if: every sampled pod uses this percentage of its cpu request, e.g. 150%")
	f.StringVar(&o.memory, "memory", "",
		"What-if: every sampled pod uses this percentage of its memory request, e.g. 90%")
	f.StringArrayVar(&o.usage, "usage", nil,
		"What-if: POD=CPU sets one pod's cpu usage, e.g. directus-abc=250m (repeatable)")
	f.Int32Var(&o.replicas, "replicas", 0, "What-if: the target's current replica count")
}

// Complete reads the HPA name, the namespace and the what-if flags.
func (o *explainOptions) Complete(cmd *cobra.Command, args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("explain needs exactly one HPA name, got %d: kubectl directus "+
			"explain HPA-NAME (list them with kubectl get hpa)", len(args))
	}
	o.name = args[0]
	o.replicasSet = cmd.Flags().Changed("replicas")

	ns, _, err := o.configFlags.ToRawKubeConfigLoader().Namespace()
	if err != nil {
		return fmt.Errorf("reading the namespace from kubeconfig: %w", err)
	}
	o.namespace = ns
	if o.gather == nil {
		o.gather = o.gatherFromCluster
	}
	return o.completeWhatIf()
}

func (o *explainOptions) completeWhatIf() error {
	w := metrics.WhatIf{Utilization: map[corev1.ResourceName]int64{}}
	for flag, value := range map[string]string{"cpu": o.cpu, "memory": o.memory} {
		if value == "" {
			continue
		}
		percent, err := parsePercent(flag, value)
		if err != nil {
			return err
		}
		w.Utilization[corev1.ResourceName(flag)] = percent
	}

	usage, err := parseUsage(o.usage)
	if err != nil {
		return err
	}
	w.CPU = usage
	if o.replicasSet {
		w.Replicas = &o.replicas
	}
	o.whatIf = w
	return nil
}

// Bounds of the what-if inputs: far beyond any real pod, well inside the controller's int32
// and int64 arithmetic.
const (
	maxWhatIfPercent    = 100_000    // 1000 times the request
	maxWhatIfMillicores = 10_000_000 // 10,000 cores for one pod
)

// parsePercent reads "150%" (or "150") for --cpu and --memory.
func parsePercent(flag, value string) (int64, error) {
	n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), "%"), 10, 64)
	if err != nil || n < 0 || n > maxWhatIfPercent {
		return 0, fmt.Errorf("invalid --%s %q: want a percentage of the %s request from 0 to "+
			"%d, such as 150%%", flag, value, flag, maxWhatIfPercent)
	}
	return n, nil
}

// parseUsage reads repeated POD=CPU values into millicores per pod.
func parseUsage(values []string) (map[string]int64, error) {
	usage := map[string]int64{}
	for _, v := range values {
		pod, cpu, found := strings.Cut(v, "=")
		q, err := resource.ParseQuantity(cpu)
		if !found || pod == "" || err != nil || q.Sign() < 0 ||
			q.Cmp(*resource.NewMilliQuantity(maxWhatIfMillicores, resource.DecimalSI)) > 0 {
			return nil, fmt.Errorf("invalid --usage %q: want POD=CPU with CPU from 0 to %d "+
				"cores, such as directus-7d9f-abcde=250m", v, maxWhatIfMillicores/1000)
		}
		if _, dup := usage[pod]; dup {
			return nil, fmt.Errorf("--usage names pod %q twice: give each pod once", pod)
		}
		usage[pod] = q.MilliValue()
	}
	return usage, nil
}

// Validate checks the flags that do not need the cluster.
func (o *explainOptions) Validate() error {
	if o.name == "" {
		return errors.New("the HPA name is empty: kubectl directus explain HPA-NAME")
	}
	valid := false
	for _, f := range printers.ExplainOutputs() {
		valid = valid || f == o.output
	}
	if !valid {
		return fmt.Errorf("invalid --output %q: use one of %s", o.output,
			strings.Join(printers.ExplainOutputs(), ", "))
	}
	if o.replicasSet && o.replicas < 0 {
		return fmt.Errorf("invalid --replicas %d: want 0 or more", o.replicas)
	}
	return nil
}

// Run gathers the namespace, reproduces the decision and prints it.
func (o *explainOptions) Run(ctx context.Context) error {
	snap, err := o.gather(ctx, snapshot.Scope{Namespace: o.namespace})
	if err != nil {
		return err
	}
	if err := requireReadable(snap, "explain", snapshot.ResHPAs); err != nil {
		return err
	}
	hpa, err := findHPA(snap, o.namespace, o.name)
	if err != nil {
		return err
	}

	in, err := o.whatIf.Apply(metrics.InputFromSnapshot(snap, hpa, metrics.Settings{}))
	if err != nil {
		return fmt.Errorf("--usage: %w", err)
	}
	for _, gap := range snap.Gaps {
		klog.V(2).Infof("snapshot gap: %s", gap)
	}
	d := metrics.Decide(in)
	return printers.ExplainPrinter{Output: o.output}.Print(o.streams.Out, &d)
}

func (o *explainOptions) gatherFromCluster(ctx context.Context,
	scope snapshot.Scope) (*snapshot.Snapshot, error) {
	clients, err := kube.NewClients(o.configFlags)
	if err != nil {
		return nil, err
	}
	return snapshot.Gather(ctx, clients, scope, snapshot.PartMetrics|snapshot.PartEvents)
}

// findHPA picks the named HPA from the snapshot, or says how to find the right name.
func findHPA(snap *snapshot.Snapshot, namespace,
	name string) (*autoscalingv2.HorizontalPodAutoscaler, error) {
	name = snapshot.ResolveHPAName(snap.HPAs, name)
	for i := range snap.HPAs {
		if snap.HPAs[i].Namespace == namespace && snap.HPAs[i].Name == name {
			return &snap.HPAs[i], nil
		}
	}
	if gap, ok := snap.GapFor("horizontalpodautoscalers.autoscaling"); ok {
		return nil, fmt.Errorf("cannot read HPAs: %s", gap)
	}
	return nil, fmt.Errorf("horizontalpodautoscaler %q not found in namespace %q (list "+
		"them with kubectl get hpa -n %s)", name, namespace, namespace)
}
