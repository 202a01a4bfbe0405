package snapshot

import (
	"context"
	"errors"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/klog/v2"
)

// initialEventsEnd is the annotation of the bookmark that ends a streamed list.
const initialEventsEnd = "k8s.io/initial-events-end"

// errNoStreaming says the API server refused a streamed list (it does not offer one, or the
// user may not watch); the caller lists instead.
var errNoStreaming = errors.New("the API server does not stream lists")

// streamOptions ask for a streamed list: a watch that first sends every current object and
// then a bookmark marking the end, served from the API server's cache.
func streamOptions() metav1.ListOptions {
	sendInitialEvents := true
	return metav1.ListOptions{SendInitialEvents: &sendInitialEvents, AllowWatchBookmarks: true,
		ResourceVersionMatch: metav1.ResourceVersionMatchNotOlderThan}
}

// openWatch is a typed client's Watch.
type openWatch func(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error)

// streamList reads a list through a streamed list. Objects arrive and are decoded one at a
// time, so the 10,000 pods of a large cluster never sit whole in one response body next to
// their decoded copy: a third of the memory of a plain list, in one request all the same. It
// returns errNoStreaming when the server does not offer it.
func streamList[T any, PT interface {
	*T
	runtime.Object
}](ctx context.Context, open openWatch) ([]T, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w, err := open(ctx, streamOptions())
	var status apierrors.APIStatus
	if errors.As(err, &status) {
		// the server answered: it does not stream lists, or the user may list but not
		// watch; a plain list tells which, with its own error
		return nil, fmt.Errorf("%w: %w", errNoStreaming, err)
	}
	if err != nil {
		return nil, err
	}
	defer w.Stop()

	var c chunks[T]
	for {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case ev, open := <-w.ResultChan():
			if !open {
				return nil, fmt.Errorf("the streamed list ended before its last object")
			}
			done, err := collect[T, PT](ev, &c)
			if done || err != nil {
				return c.join(), err
			}
		}
	}
}

// chunkSize is how many objects a chunk of a streamed list holds.
const chunkSize = 512

// chunks gathers streamed objects in fixed-size chunks and joins them once at the end, into
// a slice of exactly their number: growing one slice by doubling would keep up to three
// copies of 10,000 pods alive at once.
type chunks[T any] struct {
	full [][]T
	last []T
	n    int
}

func (c *chunks[T]) add(item T) {
	if len(c.last) == chunkSize {
		c.full = append(c.full, c.last)
		c.last = nil
	}
	if c.last == nil {
		c.last = make([]T, 0, chunkSize)
	}
	c.last = append(c.last, item)
	c.n++
}

func (c *chunks[T]) join() []T {
	out := make([]T, 0, c.n)
	for i, chunk := range c.full {
		out = append(out, chunk...)
		c.full[i] = nil // each chunk can go as soon as it is copied
	}
	return append(out, c.last...)
}

// collect adds the object of one event; done is true at the bookmark that ends the list.
func collect[T any, PT interface {
	*T
	runtime.Object
}](ev watch.Event, items *chunks[T]) (done bool, err error) {
	switch ev.Type {
	case watch.Added:
		obj, ok := ev.Object.(PT)
		if !ok {
			return false, fmt.Errorf("streamed list: unexpected object %T", ev.Object)
		}
		items.add(*obj)
	case watch.Bookmark:
		meta, err := metaOf(ev.Object)
		return err == nil && meta.GetAnnotations()[initialEventsEnd] == "true", err
	case watch.Error:
		return false, apierrors.FromObject(ev.Object)
	}
	return false, nil
}

func metaOf(obj runtime.Object) (metav1.Object, error) {
	meta, ok := obj.(metav1.Object)
	if !ok {
		return nil, fmt.Errorf("streamed list: bookmark %T has no metadata", obj)
	}
	return meta, nil
}

// listOrStream reads a list by streaming, within timeout when it is positive, and by a plain
// list when timeout is negative (streaming not allowed) or the server refuses to stream.
func listOrStream[T any, PT interface {
	*T
	runtime.Object
}](ctx context.Context, timeout time.Duration, open openWatch,
	list func() ([]T, error)) ([]T, error) {
	if timeout < 0 {
		return list()
	}
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	items, err := streamList[T, PT](ctx, open)
	if errors.Is(err, errNoStreaming) {
		klog.V(2).Infof("listing instead: %v", err)
		return list()
	}
	return items, err
}
