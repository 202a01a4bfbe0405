package kube

import (
	"fmt"
	"net/http"
	"os"
	"sort"
	"sync"

	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
)

// EnvRequestLog names the environment variable that, when set to a file path, makes the
// plugin append one line per API request to that file: the method, the URL path and query,
// and the response status (or the transport error). It is a debugging aid, and how the
// tests prove which requests a verb sends.
const EnvRequestLog = "KUBECTL_DIRECTUS_REQUEST_LOG"

// RequestCounter counts API requests by HTTP method. It is safe for concurrent use.
type RequestCounter struct {
	mu       sync.Mutex
	byMethod map[string]int
	paths    []string
	logPath  string
}

// NewRequestCounter returns an empty counter.
func NewRequestCounter() *RequestCounter {
	return &RequestCounter{byMethod: map[string]int{}}
}

// LogTo makes the counter append a line per request to the file at path as well (see
// EnvRequestLog); an empty path logs nothing.
func (c *RequestCounter) LogTo(path string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.logPath = path
}

// Wrap returns a RoundTripper that records each request before handing it to next. It
// exposes next to client-go, which must reach the transport to cancel a request that timed
// out (otherwise it logs "unable to cancel request" on stderr).
func (c *RequestCounter) Wrap(next http.RoundTripper) http.RoundTripper {
	return &countingTransport{counter: c, next: next}
}

// countingTransport is the RoundTripper Wrap returns.
type countingTransport struct {
	counter *RequestCounter
	next    http.RoundTripper
}

// RoundTrip records the request, sends it, and logs the outcome.
func (t *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	t.counter.record(req)
	resp, err := t.next.RoundTrip(req)
	t.counter.log(req, resp, err)
	return resp, err
}

// WrappedRoundTripper returns the transport requests are handed to.
func (t *countingTransport) WrappedRoundTripper() http.RoundTripper { return t.next }

// log appends the request and its outcome to the log file, if one was set. A log that cannot
// be written is dropped: it must never fail the command.
func (c *RequestCounter) log(req *http.Request, resp *http.Response, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.logPath == "" {
		return
	}

	outcome := "error: " + fmt.Sprint(err)
	if err == nil {
		outcome = resp.Status
	}
	f, ferr := os.OpenFile(c.logPath, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if ferr != nil {
		return
	}
	defer f.Close()
	fmt.Fprintf(f, "%s %s %s\n", req.Method, req.URL.RequestURI(), outcome)
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

func memoryCache(d discovery.DiscoveryInterface) discovery.CachedDiscoveryInterface {
	return memory.NewMemCacheClient(d)
}
