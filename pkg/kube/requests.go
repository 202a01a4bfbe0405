package kube

import (
	"net/http"
	"sort"
	"sync"

	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
)

// RequestCounter counts API requests by HTTP method. It is safe for concurrent use.
type RequestCounter struct {
	mu       sync.Mutex
	byMethod map[string]int
	paths    []string
}

// NewRequestCounter returns an empty counter.
func NewRequestCounter() *RequestCounter {
	return &RequestCounter{byMethod: map[string]int{}}
}

// Wrap returns a RoundTripper that records each request before handing it to next.
func (c *RequestCounter) Wrap(next http.RoundTripper) http.RoundTripper {
	return roundTripFunc(func(req *http.Request) (*http.Response, error) {
		c.record(req)
		return next.RoundTrip(req)
	})
}

func (c *RequestCounter) record(req *http.Request) {
	c.mu.Lock()
	defer c.mu.Unlock()

	c.byMethod[req.Method]++
	c.paths = append(c.paths, req.Method+" "+req.URL.Path)
}

// Total is the number of requests recorded so far.
func (c *RequestCounter) Total() int {
	c.mu.Lock()
	defer c.mu.Unlock()

	total := 0
	for _, n := range c.byMethod {
		total += n
	}
	return total
}

// ByMethod returns a copy of the per-method counts.
func (c *RequestCounter) ByMethod() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()

	out := make(map[string]int, len(c.byMethod))
	for method, n := range c.byMethod {
		out[method] = n
	}
	return out
}

// Requests returns "METHOD path" for every recorded request, sorted.
func (c *RequestCounter) Requests() []string {
	c.mu.Lock()
	defer c.mu.Unlock()

	out := append([]string(nil), c.paths...)
	sort.Strings(out)
	return out
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(req *http.Request) (*http.Response, error) { return f(req) }

func memoryCache(d discovery.DiscoveryInterface) discovery.CachedDiscoveryInterface {
	return memory.NewMemCacheClient(d)
}
