package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/klog/v2"

	"github.com/kubectl-directus/kubectl-directus/pkg/diagnose"
	"github.com/kubectl-directus/kubectl-directus/pkg/kube"
	"github.com/kubectl-directus/kubectl-directus/pkg/printers"
	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
)

const doctorLong = `Check every HorizontalPodAutoscaler in scope, and what it depends on, for the
faults that keep it from scaling: the metrics pipeline (metrics.k8s.io, custom and external
metrics APIs, their Services and pods, pod metrics), the scale target and the pods its
selector picks, resource requests, the conditions and events the controller wrote, and
flapping.

Each finding has a stable ID, a severity (error, warning, info), the object it is about, the
evidence seen and a fix. When one cause explains several symptoms (for example the metrics
API is not registered), only the cause is reported. Checks whose inputs cannot be read
(missing permissions, an API that is down) are listed as not checked, with the reason; the
rest still run.

Reads only, in a fixed number of list calls whatever the number of HPAs.

Exit codes: 0 no error-level finding; 2 at least one error-level finding (0 with
--exit-zero); 1 the doctor itself failed.`

const doctorExample = `  # Every HPA in the current namespace
  kubectl directus doctor

  # One HPA, also listing the checks that passed
  kubectl directus doctor cms -n shop --show-ok

  # The whole cluster, errors only, as JSON for CI
  kubectl directus doctor -A --severity error -o json`

// doctorOptions holds the flags and clients of doctor.
type doctorOptions struct {
	streams genericiooptions.IOStreams

	output        string
	severity      string
	allNamespaces bool
	exitZero      bool
	showPassed    bool

	namespace   string
	hpaName     string
	minSeverity diagnose.Severity
	// clients and now are set by Complete unless a test prepared them.
	clients *kube.Clients
	now     func() time.Time
}

func newDoctorOptions(streams genericiooptions.IOStreams) *doctorOptions {
	return &doctorOptions{streams: streams, output: "table", severity: "info"}
}

// newCmdDoctor builds `doctor`; opts may be prepared by a test.
func newCmdDoctor(streams genericiooptions.IOStreams, flags *genericclioptions.ConfigFlags,
	opts *doctorOptions) *cobra.Command {
	if opts == nil {
		opts = newDoctorOptions(streams)
	}
	cmd := &cobra.Command{
		Use:     "doctor [HPA-NAME]",
		Short:   "Find out why an HPA does not scale, with evidence and a fix",
		Long:    doctorLong,
		Example: doctorExample,
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.Complete(flags, args); err != nil {
				return err
			}
			if err := opts.Validate(); err != nil {
				return err
			}
			return opts.Run(cmd.Context())
		},
	}
	opts.AddFlags(cmd)
	return cmd
}

// AddFlags registers doctor's flags.
func (o *doctorOptions) AddFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVarP(&o.output, "output", "o", o.output, "Output format: table, json or yaml.")
	f.StringVar(&o.severity, "severity", o.severity,
		"Show findings of this severity and above: info, warning or error. The summary and "+
			"the exit code still count every finding.")
	f.BoolVarP(&o.allNamespaces, "all-namespaces", "A", false,
		"Check the HPAs of every namespace.")
	f.BoolVar(&o.exitZero, "exit-zero", false,
		"Exit 0 even when an error-level problem is found.")
	f.BoolVar(&o.showPassed, "show-ok", false,
		"List the checks that passed as well (also with -v 1 or more).")
}

// Complete fills in the namespace, the HPA name and the clients.
func (o *doctorOptions) Complete(flags *genericclioptions.ConfigFlags, args []string) error {
	if len(args) == 1 {
		o.hpaName = args[0]
	}
	if o.now == nil {
		o.now = time.Now
	}
	o.showPassed = o.showPassed || klog.V(1).Enabled()

	ns, _, err := flags.ToRawKubeConfigLoader().Namespace()
	if err != nil {
		return fmt.Errorf("reading the namespace from the kubeconfig: %w", err)
	}
	o.namespace = ns
	if o.clients == nil {
		if o.clients, err = kube.NewClients(flags); err != nil {
			return err
		}
	}
	return nil
}

// Validate checks the flags against each other.
func (o *doctorOptions) Validate() error {
	if !slices.Contains(printers.DoctorFormats, o.output) {
		return fmt.Errorf("unknown --output %q: use one of %s", o.output,
			strings.Join(printers.DoctorFormats, ", "))
	}
	sev, ok := diagnose.ParseSeverity(o.severity)
	if !ok || sev == diagnose.OK {
		return fmt.Errorf("unknown --severity %q: use info, warning or error", o.severity)
	}
	o.minSeverity = sev
	if o.allNamespaces && o.hpaName != "" {
		return fmt.Errorf("an HPA name needs one namespace: drop -A, or drop %q and pass -A "+
			"alone", o.hpaName)
	}
	return nil
}

// Run gathers the snapshot, runs every check and prints the report. It returns an exitError
// with code 2 when an error-level problem was found, unless --exit-zero.
func (o *doctorOptions) Run(ctx context.Context) error {
	scope := snapshot.Scope{Namespace: o.namespace, AllNamespaces: o.allNamespaces,
		HPAName: o.hpaName}
	snap, err := snapshot.Gather(ctx, o.clients, scope, snapshot.PartAll)
	if err != nil {
		return err
	}
	if err := requireReadable(snap, "doctor", snapshot.ResHPAs); err != nil {
		return err
	}
	if err := o.checkScope(snap); err != nil {
		return err
	}

	report := diagnose.DefaultRegistry().Run(diagnose.CheckContext{Now: o.now()}, snap)
	klog.V(2).Infof("doctor: %d findings from %d API requests, by method %v",
		len(report.Findings), o.clients.Requests.Total(), o.clients.Requests.ByMethod())
	opts := printers.DoctorOptions{Format: o.output, ShowPassed: o.showPassed}
	if err := printers.PrintDoctor(o.streams.Out, report.AtLeast(o.minSeverity), opts); err != nil {
		return fmt.Errorf("printing the report: %w", err)
	}

	if report.HasErrors() && !o.exitZero {
		return &exitError{code: exitFindings}
	}
	return nil
}

// checkScope fails for a named HPA that does not exist, and tells on stderr when there is no
// HPA at all (the cluster-level checks still run).
func (o *doctorOptions) checkScope(snap *snapshot.Snapshot) error {
	if len(snap.HPAs) > 0 {
		return nil
	}
	if _, gap := snap.GapFor(snapshot.ResHPAs); gap {
		return nil
	}
	where := "namespace " + o.namespace
	if o.allNamespaces {
		where = "any namespace"
	}
	if o.hpaName != "" {
		return fmt.Errorf("HorizontalPodAutoscaler %q not found in %s (list them with `kubectl "+
			"get hpa -n %s`)", o.hpaName, where, o.namespace)
	}
	fmt.Fprintf(o.streams.ErrOut, "No HorizontalPodAutoscaler in %s; only cluster-level checks "+
		"ran.\n", where)
	return nil
}
