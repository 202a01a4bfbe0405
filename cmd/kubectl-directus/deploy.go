package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/cli-runtime/pkg/printers"

	"github.com/kubectl-directus/kubectl-directus/pkg/deploy"
	"github.com/kubectl-directus/kubectl-directus/pkg/kube"
)

// Values of --dry-run.
const (
	dryRunNone   = "none"
	dryRunClient = "client"
	dryRunServer = "server"
)

const deployLong = `Deploy Directus with PostgreSQL, Valkey and a HorizontalPodAutoscaler.

Objects are applied with server-side apply (field manager kubectl-directus) in dependency
order: the Secret (created once with random values, never regenerated), PostgreSQL and
Valkey (waited for), a bootstrap Job per Directus image (migrations run once, waited for),
the Directus Deployment (no replicas: the autoscaler owns them), its Service and
PodDisruptionBudget, and the HorizontalPodAutoscaler. Progress goes to stderr; the summary of
what was created, changed or left unchanged goes to stdout.

Running deploy again with the same flags changes nothing; an interrupted or failed deploy is
completed by running it again.

--dry-run=client and -o print the rendered objects without applying them. The Secret they
show holds freshly generated values; deploy itself never replaces an existing Secret.`

const deployExample = `  # Deploy release "directus" into namespace cms and wait until it autoscales
  kubectl directus deploy -n cms --wait

  # Allow 3 to 20 replicas and scale on 60% CPU
  kubectl directus deploy cms --min 3 --max 20 --cpu-target 60

  # Show what would be applied, as the API server would store it
  kubectl directus deploy --dry-run=server -o yaml`

// deployOptions holds the flags and clients of the deploy verb.
type deployOptions struct {
	configFlags *genericclioptions.ConfigFlags
	printFlags  *genericclioptions.JSONYamlPrintFlags
	streams     genericiooptions.IOStreams

	release deploy.Options
	wait    bool
	timeout time.Duration
	dryRun  string
	output  string

	printer printers.ResourcePrinter
	// random is the source of the Secret's values.
	random io.Reader
	// clients is built by Complete when the verb talks to the cluster; tests may preset it.
	clients *kube.Clients
}

func newDeployOptions(streams genericiooptions.IOStreams,
	flags *genericclioptions.ConfigFlags) *deployOptions {
	return &deployOptions{
		configFlags: flags,
		printFlags:  genericclioptions.NewJSONYamlPrintFlags(),
		streams:     streams,
		release:     deploy.DefaultOptions(""),
		timeout:     10 * time.Minute,
		dryRun:      dryRunNone,
		random:      rand.Reader,
	}
}

func newCmdDeploy(streams genericiooptions.IOStreams,
	flags *genericclioptions.ConfigFlags) *cobra.Command {
	o := newDeployOptions(streams, flags)
	cmd := &cobra.Command{
		Use:     "deploy [NAME]",
		Short:   "Deploy or update Directus with PostgreSQL, Valkey and an autoscaler",
		Long:    deployLong,
		Example: deployExample,
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
func (o *deployOptions) AddFlags(fs *pflag.FlagSet) {
	r := &o.release
	fs.Int32Var(&r.MinReplicas, "min", r.MinReplicas,
		"Minimum number of Directus replicas (HPA minReplicas).")
	fs.Int32Var(&r.MaxReplicas, "max", r.MaxReplicas,
		"Maximum number of Directus replicas (HPA maxReplicas).")
	fs.Int32Var(&r.CPUTarget, "cpu-target", r.CPUTarget,
		"Average CPU utilization to keep, in percent of the request (1-100).")
	fs.Int32Var(&r.MemoryTarget, "memory-target", r.MemoryTarget,
		"Average memory utilization to keep, in percent of the request (1-100).")
	fs.Int32Var(&r.ScaleUpWindow, "scale-up-window", r.ScaleUpWindow,
		"Scale-up stabilization window in seconds (0-3600).")
	fs.Int32Var(&r.ScaleDownWindow, "scale-down-window", r.ScaleDownWindow,
		"Scale-down stabilization window in seconds (0-3600).")
	fs.BoolVar(&r.CustomMetric, "custom-metric", false,
		"Also scale on the Pods metric directus_active_connections (average 100); needs a custom "+
			"metrics adapter.")
	fs.StringVar(&r.Image, "image", r.Image, "Directus image, pinned to a version (not latest).")
	fs.BoolVar(&r.WithMetricsServer, "with-metrics-server", false,
		"Also install metrics-server in kube-system, unless the metrics API is already served.")
	fs.StringVar(&r.PublicURL, "public-url", "",
		"Directus' absolute public URL (default: the Service's in-cluster address).")
	fs.StringVar(&r.AdminEmail, "admin-email", r.AdminEmail,
		"Login of the first administrator, set on first install only.")
	fs.StringVar(&r.StorageClass, "storage-class", "",
		"Storage class of the database volume claim (default: the cluster's default class).")
	fs.StringVar(&r.StorageSize, "storage-size", r.StorageSize,
		"Size of the database volume claim.")

	fs.BoolVar(&o.wait, "wait", false,
		"Also wait for the Directus rollout and for the autoscaler to be active (ScalingActive).")
	fs.DurationVar(&o.timeout, "timeout", o.timeout,
		"Give up after this long; run deploy again to continue.")
	fs.StringVar(&o.dryRun, "dry-run", o.dryRun,
		`"none" applies; "client" prints the rendered objects; "server" sends every write as a `+
			`server-side dry run.`)
	fs.StringVarP(&o.output, "output", "o", "",
		"Print objects as yaml or json instead of the summary; without --dry-run=server nothing "+
			"is applied.")
}

// Complete takes NAME and the namespace from the command line and kubeconfig.
func (o *deployOptions) Complete(args []string) error {
	if len(args) == 1 {
		o.release.Name = args[0]
	}
	namespace, _, err := o.configFlags.ToRawKubeConfigLoader().Namespace()
	if err != nil {
		return fmt.Errorf("reading the namespace from kubeconfig: %w", err)
	}
	o.release.Namespace = namespace

	if o.output != "" && o.dryRun == dryRunNone {
		o.dryRun = dryRunClient
	}
	return nil
}

// Validate refuses flags that cannot be deployed, naming each flag and what is allowed.
func (o *deployOptions) Validate() error {
	if err := validateDryRun(o.dryRun); err != nil {
		return err
	}
	if o.timeout <= 0 {
		return fmt.Errorf("--timeout %s must be positive, e.g. 10m", o.timeout)
	}
	if o.wait && o.dryRun != dryRunNone {
		return fmt.Errorf("--wait waits for what deploy applied, and --dry-run=%s applies "+
			"nothing: drop one of them", o.dryRun)
	}
	if o.output != "" {
		printer, err := o.printFlags.ToPrinter(o.output)
		if err != nil {
			return fmt.Errorf("-o %q: %w", o.output, err)
		}
		o.printer = printer
	}
	return o.release.Validate()
}

func validateDryRun(value string) error {
	switch value {
	case dryRunNone, dryRunClient, dryRunServer:
		return nil
	}
	return fmt.Errorf("--dry-run %q is not one of none, client, server", value)
}

// Run renders the release and prints or applies it.
func (o *deployOptions) Run(ctx context.Context) error {
	secret, err := deploy.NewSecretValues(o.random)
	if err != nil {
		return err
	}
	objs, err := deploy.Render(o.release, secret)
	if err != nil {
		return err
	}
	if o.dryRun == dryRunClient {
		return o.print(objs)
	}

	if err := o.buildClients(); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()

	summary, applyErr := o.applier().Apply(ctx, objs)
	if o.printer != nil && applyErr == nil {
		return o.print(summary.Objects())
	}
	if len(summary.Results) > 0 || applyErr == nil {
		if err := summary.Print(o.streams.Out); err != nil {
			return err
		}
	}
	return applyErr
}

func (o *deployOptions) buildClients() error {
	if o.clients != nil {
		return nil
	}
	clients, err := kube.NewClients(o.configFlags)
	if err != nil {
		return err
	}
	o.clients = clients
	return nil
}

func (o *deployOptions) applier() *deploy.Applier {
	return &deploy.Applier{
		Clients:      deploy.Clients{Dynamic: o.clients.Dynamic, Kube: o.clients.Kube},
		Release:      o.release.Name,
		Namespace:    o.release.Namespace,
		Progress:     o.streams.ErrOut,
		ServerDryRun: o.dryRun == dryRunServer,
		Wait:         o.wait,
		Server:       o.clients.Config.Host,
	}
}

// print writes objs as one List, in -o format (yaml when none was given).
func (o *deployOptions) print(objs []*unstructured.Unstructured) error {
	printer := o.printer
	if printer == nil {
		printer = &printers.OmitManagedFieldsPrinter{Delegate: &printers.YAMLPrinter{}}
	}
	list := &unstructured.UnstructuredList{Object: map[string]any{
		"apiVersion": "v1", "kind": "List",
	}}
	for _, obj := range objs {
		list.Items = append(list.Items, *obj)
	}
	return printer.PrintObj(list, o.streams.Out)
}
