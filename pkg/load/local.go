package load

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"k8s.io/klog/v2"
)

// DefaultRequestTimeout bounds each request of the in-process generator.
const DefaultRequestTimeout = 20 * time.Second

// maxErrorKinds bounds how many distinct error messages a run keeps; later kinds are
// counted under "other".
const maxErrorKinds = 20

// MaxConcurrency bounds the workers of a run, in the cluster or in this process: far more
// than one Directus needs to scale to its maximum, and few enough that the generator itself
// does not become what is measured.
const MaxConcurrency = 10_000

// LocalConfig describes a run of the in-process generator.
type LocalConfig struct {
	// URL is the only address the generator sends requests to. Redirects are not followed,
	// so a response can never send the load elsewhere; a 3xx counts as its status code.
	URL string
	// Concurrency is the number of workers, each with one request in flight.
	Concurrency int
	// Duration ends the run after this long; Requests ends it after this many requests.
	// At least one must be set; with both, whichever comes first ends the run.
	Duration time.Duration
	Requests int64
	// Timeout bounds each request; zero means DefaultRequestTimeout.
	Timeout time.Duration
	// Client, when set, replaces the generator's own HTTP client (tests use it).
	Client *http.Client
}

// Validate reports the first problem with the configuration.
func (c LocalConfig) Validate() error {
	if c.Concurrency < 1 || c.Concurrency > MaxConcurrency {
		return fmt.Errorf("concurrency is %d: give 1 to %d workers", c.Concurrency,
			MaxConcurrency)
	}
	if c.Duration <= 0 && c.Requests <= 0 {
		return errors.New("neither a duration nor a request count is set: give one of them")
	}
	if c.Duration < 0 || c.Requests < 0 {
		return errors.New("duration and request count must not be negative")
	}
	return ValidateURL(c.URL)
}

// ValidateURL accepts absolute http and https URLs with a host.
func ValidateURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("invalid URL %q: %w", raw, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("invalid URL %q: give an absolute http:// or https:// URL with a host",
			raw)
	}
	return nil
}

// Generator sends GET requests to one URL from a fixed number of workers and records what
// came back. Progress may be read while Run is going.
type Generator struct {
	cfg    LocalConfig
	client *http.Client

	latency *Histogram
	codes   [600]atomic.Int64
	issued  atomic.Int64
	done    atomic.Int64
	failed  atomic.Int64
	cut     atomic.Int64 // requests the end of the run found still waiting for an answer
	bytes   atomic.Int64
	started atomic.Int64 // unix nanoseconds

	mu     sync.Mutex
	errors map[string]int64
}

// NewGenerator checks cfg and returns a generator ready to Run once.
func NewGenerator(cfg LocalConfig) (*Generator, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultRequestTimeout
	}

	client := cfg.Client
	if client == nil {
		client = newHTTPClient(cfg.Concurrency, cfg.Timeout)
	}
	g := &Generator{cfg: cfg, client: client, latency: NewHistogram(),
		errors: map[string]int64{}}
	return g, nil
}

// newHTTPClient keeps one idle connection per worker and never follows a redirect.
func newHTTPClient(concurrency int, timeout time.Duration) *http.Client {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConns = concurrency
	transport.MaxIdleConnsPerHost = concurrency
	return &http.Client{
		Transport: transport,
		Timeout:   timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// Run sends requests until the duration passes, the request count is reached or ctx is
// cancelled, and returns what was measured. Requests cut short by the end of the run are
// not counted.
func (g *Generator) Run(ctx context.Context) *LocalResult {
	if g.cfg.Duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, g.cfg.Duration)
		defer cancel()
	}

	start := time.Now()
	g.started.Store(start.UnixNano())
	klog.V(2).Infof("local load: %d workers on %s", g.cfg.Concurrency, g.cfg.URL)

	var wg sync.WaitGroup
	for range g.cfg.Concurrency {
		wg.Go(func() { g.work(ctx) })
	}
	wg.Wait()

	if t, ok := g.client.Transport.(*http.Transport); ok && g.cfg.Client == nil {
		t.CloseIdleConnections()
	}
	return g.result(time.Since(start))
}

// work is one worker: it takes a ticket when the run is bounded by a request count, sends
// the request and records the outcome, until the run ends.
func (g *Generator) work(ctx context.Context) {
	for ctx.Err() == nil {
		if g.cfg.Requests > 0 && g.issued.Add(1) > g.cfg.Requests {
			return
		}
		g.once(ctx)
	}
}

func (g *Generator) once(ctx context.Context) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, g.cfg.URL, nil)
	if err != nil {
		g.recordError(err)
		return
	}

	begin := time.Now()
	resp, err := g.client.Do(req)
	if err != nil {
		if ctx.Err() == nil {
			g.recordError(err)
		} else {
			g.cut.Add(1)
		}
		return
	}
	n, err := io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		if ctx.Err() == nil {
			g.recordError(fmt.Errorf("reading body: %w", err))
		}
		return
	}

	g.latency.Record(time.Since(begin))
	g.bytes.Add(n)
	g.done.Add(1)
	if resp.StatusCode >= 0 && resp.StatusCode < len(g.codes) {
		g.codes[resp.StatusCode].Add(1)
	}
}

func (g *Generator) recordError(err error) {
	g.done.Add(1)
	g.failed.Add(1)
	kind := errorKind(err)

	g.mu.Lock()
	defer g.mu.Unlock()
	if _, ok := g.errors[kind]; !ok && len(g.errors) >= maxErrorKinds {
		kind = "other"
	}
	g.errors[kind]++
}

// errorKind strips the method and URL that net/http puts around every error, so that the
// same failure on every request counts as one kind.
func errorKind(err error) string {
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		err = urlErr.Err
	}
	var netErr net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout()) {
		return "request timeout"
	}
	return err.Error()
}

// Progress is what the generator has done so far.
type Progress struct {
	Elapsed  time.Duration
	Requests int64
	Errors   int64
}

// Progress reads the counters of a running (or finished) generator.
func (g *Generator) Progress() Progress {
	started := g.started.Load()
	var elapsed time.Duration
	if started != 0 {
		elapsed = time.Since(time.Unix(0, started))
	}
	return Progress{Elapsed: elapsed, Requests: g.done.Load(), Errors: g.failed.Load()}
}
