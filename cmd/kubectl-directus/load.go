package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/kubernetes"

	"github.com/kubectl-directus/kubectl-directus/pkg/deploy"
	"github.com/kubectl-directus/kubectl-directus/pkg/kube"
	"github.com/kubectl-directus/kubectl-directus/pkg/load"
	"github.com/kubectl-directus/kubectl-directus/pkg/printers"
)

// Defaults of the load verb.
const (
	defaultLoadRelease     = deploy.DefaultName
	defaultLoadConcurrency = 50
	defaultRequestTimeout  = 30 * time.Minute
	// jobDeadlineMargin is added to the Job's deadline beyond the start wait and the load.
	jobDeadlineMargin = 2 * time.Minute
)

// loadLong is the verb's help text; the tool table is built from the default images.
func loadLong() string {
	tools := fmt.Sprintf("  %-5s %-22s %s\n  %-5s %-22s %s\n  %-5s %-22s %s",
		"wget", load.DefaultWgetImage, "busybox wget loops, one per worker",
		"ab", load.DefaultABImage, "Apache Bench (-r; with --duration at most 1,000,000 requests)",
		"hey", load.DefaultHeyImage, "hey; another --image must have hey as its entrypoint")
	return `Generate HTTP load against Directus and report how its HorizontalPodAutoscaler reacted.

By default a Job in the cluster runs the generator against the Directus Service of release
NAME (default "directus"): http://NAME-directus.NAMESPACE.svc/server/ping, on the Service's
"http" port. --url replaces that address; it must be reachable from inside the cluster.
Tools and their default images (--image replaces them):

` + tools + `

The Job and its pod carry the labels app.kubernetes.io/managed-by=kubectl-directus and
kubectl-directus/load=<run ID>. They are deleted when the load ends, on Ctrl-C and on
timeout; the Job also has a deadline and a time-to-live of its own. --cleanup deletes what an
interrupted run left behind.

With --local, the plugin itself sends the requests to --url (for example through your own
kubectl port-forward) and reports requests per second, latency percentiles, status codes and
errors. It never follows redirects, so the load goes to --url only.

While the load runs, stderr shows the replicas (current and desired), ready pods, each metric
against its target, and every rescale as it happens. At the end stdout gets the report: when
the threshold was first crossed, when the first scale-up came and whether the HPA's behavior
allows that timing, the peak replica count and whether maxReplicas held it back, and with
--observe-scale-down how long replicas took to return to minReplicas. Charts of replicas and
utilization close the report; -o json|yaml prints the same report with the time series.`
}

const loadExample = `  # Five minutes of 50 busybox wget workers against release "directus"
  kubectl directus load --tool wget --concurrency 50 --duration 5m -n web

  # 100,000 requests with Apache Bench, then watch the scale-down
  kubectl directus load --tool ab --requests 100000 --observe-scale-down -n web

  # Load from this machine through a port-forward, report as JSON
  kubectl port-forward -n web svc/directus-directus 8055:80 &
  kubectl directus load --local --url http://127.0.0.1:8055/server/ping --duration 2m -o json

  # Remove the Jobs of interrupted runs in every namespace
  kubectl directus load --cleanup -A`

// loadOptions holds the load verb's flags and what Complete derives from them.
type loadOptions struct {
	configFlags *genericclioptions.ConfigFlags
	streams     genericiooptions.IOStreams

	release          string
	tool             string
	image            string
	url              string
	concurrency      int
	duration         time.Duration
	requests         int64
	timeout          time.Duration
	interval         time.Duration
	startTimeout     time.Duration
	observeScaleDown bool
	scaleDownTimeout time.Duration
	output           string
	cleanup          bool
	// named says NAME was given; changed says whether a flag was set on the command line.
	named         bool
	changed       func(flag string) bool
	allNamespaces bool
	local         bool
	observe       bool

	namespace string
	// client is set by Complete, or beforehand by tests.
	client kubernetes.Interface
}

func newLoadOptions(streams genericiooptions.IOStreams,
	flags *genericclioptions.ConfigFlags) *loadOptions {
	return &loadOptions{configFlags: flags, streams: streams, release: defaultLoadRelease,
		tool: string(load.ToolWget), concurrency: defaultLoadConcurrency,
		timeout: defaultRequestTimeout, interval: load.DefaultInterval,
		startTimeout: load.DefaultStartTimeout, scaleDownTimeout: load.DefaultScaleDownTimeout,
		observe: true}
}

// newCmdLoad returns the load verb. o may be prepared by tests; nil builds the defaults.
func newCmdLoad(streams genericiooptions.IOStreams, flags *genericclioptions.ConfigFlags,
	o *loadOptions) *cobra.Command {
	if o == nil {
		o = newLoadOptions(streams, flags)
	}
	cmd := &cobra.Command{
		Use:     "load [NAME] (--duration D | --requests N) [flags]",
		Short:   "Load Directus and report how its autoscaler reacted",
		Long:    loadLong(),
		Example: loadExample,
		Args:    cobra.MaximumNArgs(1),
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

// AddFlags registers the verb's flags.
func (o *loadOptions) AddFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&o.tool, "tool", o.tool, "in-cluster generator: wget, ab or hey")
	f.StringVar(&o.image, "image", "",
		"image for the tool (default: the tool's image listed above)")
	f.StringVar(&o.url, "url", "", "URL to load (default: the Directus Service of NAME)")
	f.IntVarP(&o.concurrency, "concurrency", "c", o.concurrency, "number of concurrent workers")
	f.DurationVarP(&o.duration, "duration", "d", 0, "how long to load, e.g. 5m")
	f.Int64Var(&o.requests, "requests", 0, "how many requests to send")
	f.DurationVar(&o.timeout, "timeout", o.timeout, "upper bound of a --requests run")
	f.DurationVar(&o.interval, "interval", o.interval, "how often to sample the HPA")
	f.DurationVar(&o.startTimeout, "start-timeout", o.startTimeout,
		"how long the generator's pod may take to start")
	f.BoolVar(&o.observeScaleDown, "observe-scale-down", false,
		"after the load, watch until replicas are back at minReplicas")
	f.DurationVar(&o.scaleDownTimeout, "scale-down-timeout", o.scaleDownTimeout,
		"upper bound of --observe-scale-down")
	f.StringVarP(&o.output, "output", "o", "", "output format: json or yaml (default: text)")
	f.BoolVar(&o.cleanup, "cleanup", false,
		"delete the Jobs and pods left by interrupted runs, and exit")
	f.BoolVarP(&o.allNamespaces, "all-namespaces", "A", false,
		"with --cleanup: look in every namespace")
	f.BoolVar(&o.local, "local", false, "send the requests from this process to --url")
	f.BoolVar(&o.observe, "observe", o.observe,
		"watch the HPA of NAME; --observe=false with --local only loads --url")
}

// Complete reads the release name and namespace and builds the client when one is needed.
func (o *loadOptions) Complete(cmd *cobra.Command, args []string) error {
	if len(args) == 1 {
		o.release = args[0]
	}
	o.named = len(args) == 1
	o.changed = cmd.Flags().Changed
	ns, _, err := o.configFlags.ToRawKubeConfigLoader().Namespace()
	if err != nil {
		return fmt.Errorf("reading the namespace from kubeconfig: %w", err)
	}
	o.namespace = ns

	if o.client != nil || (o.local && !o.observe) {
		return nil
	}
	clients, err := kube.NewClients(o.configFlags)
	if err != nil {
		return err
	}
	o.client = clients.Kube
	return nil
}

// Validate refuses flag combinations that cannot run, naming the flag and the fix.
func (o *loadOptions) Validate() error {
	if o.cleanup {
		return o.validateCleanup()
	}
	if o.allNamespaces {
		return errors.New("--all-namespaces only applies to --cleanup: choose the " +
			"namespace of the run with -n")
	}
	if err := o.validateBounds(); err != nil {
		return err
	}
	if err := o.validateMode(); err != nil {
		return err
	}
	if o.output != "" && o.output != "json" && o.output != "yaml" {
		return fmt.Errorf("unknown output format %q for -o: use json or yaml, or leave it "+
			"out for text", o.output)
	}
	if o.interval < time.Second {
		return fmt.Errorf("--interval %s is too short: sample at most once a second", o.interval)
	}
	return nil
}

// loadRunFlags are the flags that shape a run; with --cleanup none of them means anything.
var loadRunFlags = []string{"tool", "image", "url", "concurrency", "duration", "requests",
	"timeout", "interval", "start-timeout", "observe-scale-down", "scale-down-timeout",
	"output", "local", "observe"}

// validateCleanup refuses run flags and NAME next to --cleanup, which removes the leftovers
// of every run in the namespace and starts none.
func (o *loadOptions) validateCleanup() error {
	if o.named {
		return fmt.Errorf("--cleanup removes the leftovers of every run in the namespace: "+
			"drop NAME %q", o.release)
	}
	for _, flag := range loadRunFlags {
		if o.flagSet(flag) {
			return fmt.Errorf("--%s does not apply to --cleanup, which starts no run: drop it",
				flag)
		}
	}
	return nil
}

// flagSet reports whether the flag was given on the command line.
func (o *loadOptions) flagSet(flag string) bool {
	return o.changed != nil && o.changed(flag)
}

func (o *loadOptions) validateBounds() error {
	switch {
	case o.concurrency < 1 || o.concurrency > load.MaxConcurrency:
		return fmt.Errorf("--concurrency %d is invalid: give 1 to %d workers", o.concurrency,
			load.MaxConcurrency)
	case o.duration < 0 || o.requests < 0:
		return errors.New("--duration and --requests must not be negative")
	case o.duration == 0 && o.requests == 0:
		return errors.New("no --duration and no --requests: say how long to load " +
			"(e.g. --duration 5m) or how many requests to send (e.g. --requests 10000)")
	case o.duration > 0 && o.requests > 0:
		return errors.New("--duration and --requests cannot be combined: give one of them")
	case o.duration > 0 && o.duration < time.Second:
		return fmt.Errorf("--duration %s is too short: give at least 1s", o.duration)
	case o.requests > 0 && o.requests < int64(o.concurrency):
		return fmt.Errorf("--requests %d is below --concurrency %d: give each worker at "+
			"least one request", o.requests, o.concurrency)
	}
	return nil
}

func (o *loadOptions) validateMode() error {
	if o.url != "" {
		if err := load.ValidateURL(o.url); err != nil {
			return fmt.Errorf("--url: %w", err)
		}
	}
	if !o.local {
		if !o.observe {
			return errors.New("--observe=false only applies to --local")
		}
		return o.jobConfig("").Validate()
	}
	if o.url == "" {
		return errors.New("--local needs --url: the address this machine sends requests to, " +
			"e.g. a port-forward such as http://127.0.0.1:8055/server/ping")
	}
	if o.image != "" || o.flagSet("tool") || o.flagSet("start-timeout") {
		return errors.New("--image, --tool and --start-timeout apply to the in-cluster " +
			"generator: drop them with --local")
	}
	if !o.observe && (o.observeScaleDown || o.flagSet("scale-down-timeout")) {
		return errors.New("--observe-scale-down watches the HPA, which --observe=false " +
			"turns off: drop one of them")
	}
	return nil
}

// jobConfig describes the in-cluster generator; url empty keeps a placeholder for checks
// made before the Service is read.
func (o *loadOptions) jobConfig(url string) load.JobConfig {
	if url == "" {
		url = "http://" + objectName(o.release) + "." + o.namespace + ".svc"
	}
	cfg := load.JobConfig{Namespace: o.namespace, Prefix: o.release, Tool: load.Tool(o.tool),
		Image: o.image, URL: url, Concurrency: o.concurrency, Duration: o.duration,
		Requests: o.requests}
	if o.url != "" {
		cfg.URL = o.url
	}
	return cfg
}

// objectName is the name the product's manifests give the Directus Deployment, Service and
// HPA of a release (the image does not enter it).
func objectName(release string) string { return deploy.NamesFor(release, "").Directus }

// Run cleans up leftovers, or runs the load with Ctrl-C and SIGTERM cancelling it.
func (o *loadOptions) Run(ctx context.Context) error {
	if o.cleanup {
		return o.runCleanup(ctx)
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	runner, err := o.runner(ctx)
	if err != nil {
		return err
	}
	rep, runErr := runner.Run(ctx)
	if rep == nil {
		return runErr
	}
	if err := o.print(rep); err != nil {
		return errors.Join(runErr, err)
	}
	if errors.Is(runErr, load.ErrInterrupted) {
		return fmt.Errorf("%w; the generator was stopped and its objects deleted", runErr)
	}
	if runErr == nil {
		runErr = unanswered(rep)
	}
	return runErr
}

// unanswered fails a local run in which no request got an answer: its rate and latencies
// would describe nothing but the failures.
func unanswered(rep *load.Report) error {
	r := rep.Local
	if r == nil || r.Answered() > 0 {
		return nil
	}
	return fmt.Errorf("no request to %s was answered (%d errors, %d unfinished when the run "+
		"ended): check --url and that the server answers within the run", r.URL, r.Errors,
		r.Unfinished)
}

func (o *loadOptions) print(rep *load.Report) error {
	if o.output != "" {
		return printers.WriteLoadData(o.streams.Out, o.output, rep)
	}
	return printers.WriteLoadReport(o.streams.Out, rep)
}

func (o *loadOptions) runCleanup(ctx context.Context) error {
	ns := o.namespace
	where := "namespace " + ns
	if o.allNamespaces {
		ns, where = "", "any namespace"
	}
	removed, err := load.DeleteLeftovers(ctx, o.client, ns)
	for _, job := range removed.Jobs {
		fmt.Fprintf(o.streams.Out, "job %s deleted\n", job)
	}
	for _, pod := range removed.Pods {
		fmt.Fprintf(o.streams.Out, "pod %s deleted\n", pod)
	}
	if err != nil {
		return err
	}
	if len(removed.Jobs)+len(removed.Pods) == 0 {
		fmt.Fprintf(o.streams.ErrOut, "no load Jobs or pods left in %s\n", where)
	}
	return nil
}

// defaultPath is what the generator requests on the Directus Service by default: Directus'
// liveness endpoint, always answered with 200 and never redirected.
const defaultPath = "/server/ping"

// runner builds the run: the HPA to watch, the source of load and the report's header.
func (o *loadOptions) runner(ctx context.Context) (*load.Runner, error) {
	start := time.Now()
	live := printers.NewLoadLive(o.streams.ErrOut, start)
	rep := &load.Report{RunID: load.NewRunID(), Concurrency: o.concurrency,
		Duration: o.duration.Seconds(), Requests: o.requests}
	if o.client != nil {
		rep.Namespace = o.namespace
	}
	r := &load.Runner{Report: rep, Duration: o.duration, Interval: o.interval,
		ObserveScaleDown: o.observeScaleDown, ScaleDownTimeout: o.scaleDownTimeout, Watch: live}
	if o.requests > 0 {
		r.Timeout = o.timeout
	}

	if o.observe {
		hpa, err := o.findHPA(ctx)
		if err != nil {
			return nil, err
		}
		r.Observer = load.NewObserver(o.client, o.namespace, hpa, start)
	}

	var err error
	if o.local {
		r.Source, err = o.localSource(rep)
	} else {
		r.Source, err = o.jobSource(ctx, rep)
	}
	if err != nil {
		return nil, err
	}
	workers := "workers"
	if o.concurrency == 1 {
		workers = "worker"
	}
	live.Notice("load run %s: %d %s against %s", rep.RunID, o.concurrency, workers, rep.URL)
	return r, nil
}

func (o *loadOptions) localSource(rep *load.Report) (load.Source, error) {
	gen, err := load.NewGenerator(load.LocalConfig{URL: o.url, Concurrency: o.concurrency,
		Duration: o.duration, Requests: o.requests})
	if err != nil {
		return nil, err
	}
	rep.Mode, rep.URL = "local", o.url
	return &load.LocalSource{Generator: gen}, nil
}

func (o *loadOptions) jobSource(ctx context.Context, rep *load.Report) (load.Source, error) {
	url := o.url
	if url == "" {
		var err error
		if url, err = o.serviceURL(ctx); err != nil {
			return nil, err
		}
	}
	cfg := o.jobConfig(url)
	cfg.RunID = rep.RunID
	bound := o.duration
	if o.requests > 0 {
		bound = o.timeout
	}
	cfg.Deadline = o.startTimeout + bound + jobDeadlineMargin

	rep.Mode, rep.Tool, rep.URL, rep.Job = "cluster", o.tool, cfg.URL, cfg.JobName()
	rep.Image = cfg.Image
	if rep.Image == "" {
		rep.Image = cfg.Tool.DefaultImage()
	}
	return &load.JobSource{Client: o.client, Config: cfg, StartTimeout: o.startTimeout}, nil
}
