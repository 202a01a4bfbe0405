package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/klog/v2"

	"github.com/kubectl-directus/kubectl-directus/pkg/kube"
	"github.com/kubectl-directus/kubectl-directus/pkg/printers"
	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
)

// defaultInterval is the HPA controller's default sync period: refreshing faster shows
// nothing new about the HPA.
const defaultInterval = 15 * time.Second

// clearScreen moves the cursor home and clears the terminal.
const clearScreen = "\x1b[H\x1b[2J"

// viewOptions are the flags and state the read-only views share: scope, output, watch.
type viewOptions struct {
	streams genericiooptions.IOStreams

	// clients are built in complete unless a test set them.
	clients *kube.Clients
	// now is the clock, replaced in tests.
	now func() time.Time
	// terminal says whether Out is a terminal; complete sets it unless a test did.
	terminal *bool

	namespace     string
	allNamespaces bool
	hpaName       string
	output        string
	format        printers.Format
	noHeaders     bool
	watch         bool
	interval      time.Duration
}

func newViewOptions(streams genericiooptions.IOStreams) viewOptions {
	return viewOptions{streams: streams, now: time.Now, interval: defaultInterval}
}

// addFlags registers the scope and output flags; watch adds --watch and --interval.
func (o *viewOptions) addFlags(cmd *cobra.Command, watch bool) {
	flags := cmd.Flags()
	flags.BoolVarP(&o.allNamespaces, "all-namespaces", "A", false,
		"Look at the HPAs of every namespace.")
	flags.StringVarP(&o.output, "output", "o", "",
		"Output format: json or yaml. Leave it out for a table.")
	flags.BoolVar(&o.noHeaders, "no-headers", false, "Do not print table headers.")
	if !watch {
		return
	}
	flags.BoolVarP(&o.watch, "watch", "w", false,
		"Refresh at every --interval until Ctrl-C, marking lines that changed (* changed, "+
			"+ new, - gone).")
	flags.DurationVar(&o.interval, "interval", defaultInterval,
		"Time between refreshes with --watch; the default is the HPA controller's sync period.")
}

// complete reads the namespace and the HPA name, and builds the clients.
func (o *viewOptions) complete(flags *genericclioptions.ConfigFlags, args []string) error {
	if len(args) > 0 {
		o.hpaName = args[0]
	}
	if o.namespace == "" && !o.allNamespaces {
		ns, _, err := flags.ToRawKubeConfigLoader().Namespace()
		if err != nil {
			return fmt.Errorf("reading the namespace from kubeconfig: %w (pass -n)", err)
		}
		o.namespace = ns
	}
	if o.terminal == nil {
		isTerm := isTerminal(o.streams.Out)
		o.terminal = &isTerm
	}
	if o.clients != nil {
		return nil
	}
	clients, err := kube.NewClients(flags)
	if err != nil {
		return err
	}
	o.clients = clients
	return nil
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// validate checks the flags every view shares.
func (o *viewOptions) validate() error {
	format, err := printers.ParseFormat(o.output)
	if err != nil {
		return err
	}
	o.format = format
	if o.allNamespaces && o.hpaName != "" {
		return fmt.Errorf("an HPA name and --all-namespaces do not go together: name the " +
			"HPA with -n NAMESPACE, or drop the name")
	}
	if o.watch && o.interval < time.Second {
		return fmt.Errorf("--interval %s is too short: use 1s or more (the HPA itself "+
			"changes every 15s)", o.interval)
	}
	return nil
}

func (o *viewOptions) scope() snapshot.Scope {
	return snapshot.Scope{Namespace: o.namespace, AllNamespaces: o.allNamespaces,
		HPAName: o.hpaName}
}

// gather takes one snapshot of scope and logs how many requests it cost.
func (o *viewOptions) gather(ctx context.Context, scope snapshot.Scope,
	parts snapshot.Parts) (*snapshot.Snapshot, error) {
	before := o.clients.Requests.Total()
	snap, err := snapshot.Gather(ctx, o.clients, scope, parts)
	if err != nil {
		return nil, err
	}
	klog.V(3).Infof("refresh cost %d requests", o.clients.Requests.Total()-before)

	// the views date ages and the controller's time rules by the command's clock
	snap.Taken = o.now()
	return snap, nil
}

// frame is one refresh of a view: its table layout, its data for -o, and notices for stderr.
type frame struct {
	doc     *printers.Document
	data    any
	notices []string
}

// refreshFunc builds one frame.
type refreshFunc func(ctx context.Context) (*frame, error)

// run prints one frame, or with --watch a frame at every interval until the context ends or
// the user presses Ctrl-C.
func (o *viewOptions) run(ctx context.Context, refresh refreshFunc) error {
	f, err := refresh(ctx)
	if err != nil {
		return err
	}
	if !o.watch {
		o.notify(f.notices, nil)
		return o.print(f, nil)
	}

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	return o.watchLoop(ctx, refresh, f)
}

func (o *viewOptions) watchLoop(ctx context.Context, refresh refreshFunc, f *frame) error {
	ticker := time.NewTicker(o.interval)
	defer ticker.Stop()

	var previous *frame
	for {
		o.notify(f.notices, previous)
		if err := o.printRefresh(f, previous); err != nil {
			return err
		}
		previous = f

		select {
		case <-ctx.Done():
			return nil
		case <-ticker.C:
		}
		next, err := refresh(ctx)
		switch {
		case ctx.Err() != nil:
			return nil
		case err != nil:
			fmt.Fprintf(o.streams.ErrOut, "refresh failed, keeping the last view: %v\n", err)
			next = previous
		}
		f = next
	}
}

// printRefresh prints a watch refresh: on a terminal it redraws the screen, elsewhere it
// appends the refresh after a blank line.
func (o *viewOptions) printRefresh(f, previous *frame) error {
	if previous != nil {
		if *o.terminal {
			fmt.Fprint(o.streams.Out, clearScreen)
		} else {
			fmt.Fprintln(o.streams.Out)
		}
	}
	if o.format == printers.FormatTable {
		fmt.Fprintf(o.streams.Out, "Every %s, at %s (Ctrl-C to stop); * changed, + new, "+
			"- gone since the last refresh\n\n", o.interval, o.now().Format(time.TimeOnly))
	}
	var prev *printers.Document
	if previous != nil {
		prev = previous.doc
	}
	return o.print(f, prev)
}

// print writes a frame in the chosen format; with previous, table lines carry change marks.
func (o *viewOptions) print(f *frame, previous *printers.Document) error {
	if o.format != printers.FormatTable {
		if o.watch && o.format == printers.FormatYAML {
			fmt.Fprintln(o.streams.Out, "---")
		}
		return printers.WriteData(o.streams.Out, o.format, f.data)
	}
	opts := printers.RenderOptions{NoHeaders: o.noHeaders, Previous: previous}
	if o.watch && previous == nil {
		opts.Previous = &printers.Document{}
		opts.Previous.Blocks = f.doc.Blocks
	}
	return printers.Render(o.streams.Out, f.doc, opts)
}

// notify prints the frame's notices on stderr, leaving out those the previous refresh
// already printed.
func (o *viewOptions) notify(notices []string, previous *frame) {
	seen := map[string]bool{}
	if previous != nil {
		for _, n := range previous.notices {
			seen[n] = true
		}
	}
	for _, n := range notices {
		if !seen[n] {
			fmt.Fprintf(o.streams.ErrOut, "notice: %s\n", n)
		}
	}
}

// checkFound turns an empty result for a named HPA into an error.
func (o *viewOptions) checkFound(found int) error {
	if o.hpaName == "" || found > 0 {
		return nil
	}
	return fmt.Errorf("horizontalpodautoscaler %q not found in namespace %q (list them with "+
		"`kubectl get hpa -n %s`)", o.hpaName, o.namespace, o.namespace)
}

// noHPAs is the notice for a scope without HPAs.
func (o *viewOptions) noHPAs(found int) []string {
	if found > 0 {
		return nil
	}
	if o.allNamespaces {
		return []string{"no HPA in any namespace"}
	}
	return []string{"no HPA in namespace " + o.namespace}
}

// listNamespace is the namespace to list or watch in: empty for every namespace.
func (o *viewOptions) listNamespace() string {
	if o.allNamespaces {
		return ""
	}
	return o.namespace
}

// requireReadable stops a verb whose snapshot lacks a list it cannot work without, naming
// the permission and how to check it.
func requireReadable(snap *snapshot.Snapshot, verb string, resources ...string) error {
	err := snap.Require(resources...)
	var gapErr *snapshot.GapError
	if !errors.As(err, &gapErr) {
		return err
	}
	gap := gapErr.Gap
	if !gap.Forbidden {
		return fmt.Errorf("%s needs %s: %w", verb, gap.Resource, err)
	}
	where := "-A"
	if gap.Namespace != "" {
		where = "-n " + gap.Namespace
	}
	return fmt.Errorf("%s needs %s: %w (check with `kubectl auth can-i %s %s %s`)", verb,
		gap.Resource, err, gap.Verb, gap.Resource, where)
}
