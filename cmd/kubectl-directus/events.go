package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/klog/v2"

	"github.com/kubectl-directus/kubectl-directus/pkg/printers"
	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
	"github.com/kubectl-directus/kubectl-directus/pkg/view"
)

const eventsLong = `List the events of each HPA and of its scale target, oldest first
(like kubectl get events sorted by time, filtered to what matters for scaling), then the
replica timeline read from the HPA's SuccessfulRescale events (from, to, reason, age) and a
chart of the replica count over the time the events cover.

The event server folds repeats of an identical event into one (xN over AGE): for such a
rescale only the first and last times are known, and the timeline says so.

With --watch, new events are printed as they happen until Ctrl-C (a read-only watch).`

const eventsExample = `  # Events, timeline and chart of every HPA in the namespace
  kubectl directus events

  # Follow one HPA's events
  kubectl directus events directus --watch`

// watchRetry is the pause before watching again after the server ended a watch.
const watchRetry = time.Second

// eventsOptions holds the flags of events.
type eventsOptions struct {
	viewOptions
}

// newCmdEvents builds `events`; opts may be prepared by a test.
func newCmdEvents(streams genericiooptions.IOStreams, flags *genericclioptions.ConfigFlags,
	opts *eventsOptions) *cobra.Command {
	if opts == nil {
		opts = &eventsOptions{viewOptions: newViewOptions(streams)}
	}
	cmd := &cobra.Command{
		Use:     "events [HPA-NAME]",
		Short:   "List an HPA's scaling events with a replica timeline and chart",
		Long:    eventsLong,
		Example: eventsExample,
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
	opts.addFlags(cmd, false)
	cmd.Flags().BoolVarP(&opts.watch, "watch", "w", false,
		"After the list, print new events of the HPAs and their targets until Ctrl-C.")
	return cmd
}

func (o *eventsOptions) run(ctx context.Context) error {
	snap, err := o.gather(ctx, o.scope(), snapshot.PartEvents)
	if err != nil {
		return err
	}
	if err := requireReadable(snap, "events", snapshot.ResHPAs, snapshot.ResEvents); err != nil {
		return err
	}
	report := view.Events(snap)
	if err := o.checkFound(len(report.HPAs)); err != nil {
		return err
	}

	now := o.now()
	o.notify(append(view.GapNotices(snap), o.noHPAs(len(report.HPAs))...), nil)
	if err := o.printReport(report, now); err != nil || !o.watch {
		return err
	}

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	return newFollower(o, report, now).follow(ctx)
}

// printReport prints the list, timeline and chart, or the data for -o.
func (o *eventsOptions) printReport(report *view.EventsReport, now time.Time) error {
	if o.format != printers.FormatTable {
		return printers.WriteData(o.streams.Out, o.format, report)
	}
	doc := printers.EventsDocument(report, now)
	return printers.Render(o.streams.Out, doc, printers.RenderOptions{NoHeaders: o.noHeaders})
}

// follower prints the new events of the report's HPAs and targets as a watch delivers them.
type follower struct {
	o *eventsOptions
	// objects maps "namespace/Kind/name" to the HPA it belongs to.
	objects map[string]string
	// seen holds "uid/resourceVersion" of every event state printed or listed.
	seen    map[string]bool
	columns *printers.Columns
}

func newFollower(o *eventsOptions, report *view.EventsReport, now time.Time) *follower {
	f := &follower{o: o, objects: map[string]string{}, seen: map[string]bool{},
		columns: printers.NewColumns(printers.EventTable(report, now), o.noHeaders)}
	for _, hpa := range report.HPAs {
		f.objects[hpa.Namespace+"/HorizontalPodAutoscaler/"+hpa.Name] = hpa.Name
		f.objects[hpa.Namespace+"/"+hpa.Reference] = hpa.Name
		for _, ev := range hpa.Events {
			f.seen[ev.UID+"/"+ev.ResourceVersion] = true
		}
	}
	fmt.Fprintln(o.streams.ErrOut, "notice: following new events; Ctrl-C to stop")
	if o.format == printers.FormatTable && !o.noHeaders {
		headers := printers.EventTable(&view.EventsReport{AllNamespaces: o.allNamespaces},
			now).Headers
		fmt.Fprint(o.streams.Out, "\n"+f.columns.Line(headers))
	}
	return f
}

// follow watches events until the context ends, watching again whenever the server closes
// the watch. Events already printed are recognised and skipped.
func (f *follower) follow(ctx context.Context) error {
	events := f.o.clients.Kube.CoreV1().Events(f.o.listNamespace())
	resourceVersion := ""
	for {
		w, err := events.Watch(ctx, metav1.ListOptions{ResourceVersion: resourceVersion})
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			return fmt.Errorf("watching events: %w", err)
		}
		resourceVersion = f.consume(ctx, w, resourceVersion)

		select {
		case <-ctx.Done():
			return nil
		case <-time.After(watchRetry):
		}
	}
}

// consume prints the watch's events until it closes or the context ends, and returns the
// resource version to watch from next.
func (f *follower) consume(ctx context.Context, w watch.Interface, resourceVersion string) string {
	defer w.Stop()
	for {
		var change watch.Event
		var open bool
		select {
		case <-ctx.Done():
			return resourceVersion
		case change, open = <-w.ResultChan():
		}
		if !open {
			return resourceVersion
		}

		switch change.Type {
		case watch.Added, watch.Modified:
			if ev, ok := change.Object.(*corev1.Event); ok {
				resourceVersion = ev.ResourceVersion
				f.print(ev)
			}
		case watch.Error:
			err := apierrors.FromObject(change.Object)
			klog.V(2).Infof("event watch ended: %v", err)
			if apierrors.IsResourceExpired(err) || apierrors.IsGone(err) {
				return ""
			}
		}
	}
}

func (f *follower) print(ev *corev1.Event) {
	hpa, ok := f.objects[ev.Namespace+"/"+ev.InvolvedObject.Kind+"/"+ev.InvolvedObject.Name]
	key := string(ev.UID) + "/" + ev.ResourceVersion
	if !ok || f.seen[key] {
		return
	}
	f.seen[key] = true

	e := view.EventOf(ev)
	out := f.o.streams.Out
	switch f.o.format {
	case printers.FormatTable:
		cells := printers.EventCells(hpa, &e, f.o.now())
		if f.o.allNamespaces {
			cells = append([]string{ev.Namespace}, cells...)
		}
		fmt.Fprint(out, f.columns.Line(cells))
	default:
		if f.o.format == printers.FormatYAML {
			fmt.Fprintln(out, "---")
		}
		data := followedEvent{Namespace: ev.Namespace, HPA: hpa, Event: e}
		if err := printers.WriteData(out, f.o.format, data); err != nil {
			klog.V(2).Infof("printing event: %v", err)
		}
	}
}

// followedEvent is one followed event in -o output.
type followedEvent struct {
	Namespace string `json:"namespace"`
	HPA       string `json:"hpa"`
	view.Event
}
