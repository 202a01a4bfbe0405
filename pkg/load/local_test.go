package load

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// serverLatency is the known latency of the test server; every errorEvery-th request it
// answers with 500.
const (
	serverLatency = 20 * time.Millisecond
	errorEvery    = 10
)

// slowServer answers every request after serverLatency, with 500 on every errorEvery-th.
func slowServer(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		n := hits.Add(1)
		time.Sleep(serverLatency)
		if n%errorEvery == 0 {
			http.Error(w, "boom", http.StatusInternalServerError)
			return
		}
		_, _ = w.Write([]byte("ok"))
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

// TestGeneratorMatchesKnownServer checks the figures against a loopback server with a 20 ms
// latency and a 10 % error rate. Counts are exact and no latency is below the server's sleep.
// Upper bounds are loose on purpose: on a loaded CI machine a goroutine can wait a few
// hundred milliseconds for a core, so only a gross error (seconds, or a unit slip) fails.
// The request rate agrees with Little's law (concurrency / mean latency) within 25 %.
func TestGeneratorMatchesKnownServer(t *testing.T) {
	srv, hits := slowServer(t)
	const concurrency, requests = 10, 500

	gen, err := NewGenerator(LocalConfig{URL: srv.URL, Concurrency: concurrency,
		Requests: requests})
	require.NoError(t, err)
	res := gen.Run(t.Context())

	assert.EqualValues(t, requests, res.Requests)
	assert.EqualValues(t, requests, hits.Load(), "the server saw exactly the requests sent")
	assert.Zero(t, res.Errors)
	assert.Equal(t, []StatusCount{{200, requests * 9 / 10}, {500, requests / 10}},
		res.StatusCodes)

	low, overhead := ms(serverLatency), 250.0
	assert.GreaterOrEqual(t, res.Latency.MinMs, low)
	assert.GreaterOrEqual(t, res.Latency.P50Ms, low)
	assert.LessOrEqual(t, res.Latency.P50Ms, low+overhead, "p50")
	assert.GreaterOrEqual(t, res.Latency.P90Ms, res.Latency.P50Ms)
	assert.LessOrEqual(t, res.Latency.P90Ms, low+2*overhead, "p90")
	assert.GreaterOrEqual(t, res.Latency.P99Ms, res.Latency.P90Ms)
	assert.GreaterOrEqual(t, res.Latency.MaxMs, res.Latency.P99Ms)

	little := concurrency / (res.Latency.MeanMs / 1000)
	assert.InEpsilon(t, little, res.RequestsPerSecond, 0.25, "requests/s vs Little's law")
	t.Logf("%.0f req/s, p50 %.1f ms, p90 %.1f ms, p99 %.1f ms", res.RequestsPerSecond,
		res.Latency.P50Ms, res.Latency.P90Ms, res.Latency.P99Ms)
}

// TestGeneratorStopsAfterDuration: with 4 workers and 20 ms per request, 300 ms gives at
// most 60 requests; scheduling on a busy machine may lose some, never add. The run ends
// within a second (requests in flight are cut at the deadline, not waited for).
func TestGeneratorStopsAfterDuration(t *testing.T) {
	srv, _ := slowServer(t)
	gen, err := NewGenerator(LocalConfig{URL: srv.URL, Concurrency: 4,
		Duration: 300 * time.Millisecond})
	require.NoError(t, err)

	res := gen.Run(t.Context())

	assert.GreaterOrEqual(t, res.Seconds, 0.3)
	assert.Less(t, res.Seconds, 1.0)
	assert.LessOrEqual(t, res.Requests, int64(60))
	assert.Positive(t, res.Requests)
	assert.Zero(t, res.Errors, "requests cut by the end of the run are not errors")
}

func TestGeneratorStopsOnCancel(t *testing.T) {
	srv, _ := slowServer(t)
	gen, err := NewGenerator(LocalConfig{URL: srv.URL, Concurrency: 4, Duration: time.Hour})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()

	begin := time.Now()
	res := gen.Run(ctx)

	assert.Less(t, time.Since(begin), time.Second)
	assert.Positive(t, res.Requests)
	assert.Zero(t, res.Errors)
}

// TestGeneratorCountsConnectionErrors sends to a loopback port nobody listens on.
func TestGeneratorCountsConnectionErrors(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())

	gen, err := NewGenerator(LocalConfig{URL: "http://" + addr + "/", Concurrency: 3,
		Requests: 30})
	require.NoError(t, err)
	res := gen.Run(t.Context())

	assert.EqualValues(t, 30, res.Requests)
	assert.EqualValues(t, 30, res.Errors)
	require.Len(t, res.ErrorKinds, 1)
	assert.Contains(t, res.ErrorKinds[0].Error, "connection refused")
	assert.Empty(t, res.StatusCodes)
}

// TestGeneratorNeverFollowsRedirects: a redirect to another server must not send it a
// single request.
func TestGeneratorNeverFollowsRedirects(t *testing.T) {
	other, otherHits := slowServer(t)
	srv := httptest.NewServer(http.RedirectHandler(other.URL, http.StatusFound))
	t.Cleanup(srv.Close)

	gen, err := NewGenerator(LocalConfig{URL: srv.URL, Concurrency: 2, Requests: 10})
	require.NoError(t, err)
	res := gen.Run(t.Context())

	assert.Zero(t, otherHits.Load())
	assert.Equal(t, []StatusCount{{http.StatusFound, 10}}, res.StatusCodes)
}

func TestGeneratorRequestTimeout(t *testing.T) {
	srv, _ := slowServer(t)
	gen, err := NewGenerator(LocalConfig{URL: srv.URL, Concurrency: 2, Requests: 4,
		Timeout: 5 * time.Millisecond})
	require.NoError(t, err)

	res := gen.Run(t.Context())

	assert.EqualValues(t, 4, res.Errors)
	assert.Equal(t, []ErrorCount{{Error: "request timeout", Count: 4}}, res.ErrorKinds)
}

func TestLocalConfigValidate(t *testing.T) {
	good := LocalConfig{URL: "http://127.0.0.1:8080/", Concurrency: 1, Requests: 1}
	cases := map[string]struct {
		mutate func(*LocalConfig)
		want   string
	}{
		"no bound":     {func(c *LocalConfig) { c.Requests = 0 }, "neither a duration"},
		"concurrency":  {func(c *LocalConfig) { c.Concurrency = 0 }, "give 1 to 10000 workers"},
		"too many":     {func(c *LocalConfig) { c.Concurrency = 10001 }, "concurrency is 10001"},
		"relative url": {func(c *LocalConfig) { c.URL = "/items" }, "absolute http"},
		"ftp url":      {func(c *LocalConfig) { c.URL = "ftp://127.0.0.1/" }, "absolute http"},
		"negative":     {func(c *LocalConfig) { c.Duration = -time.Second }, "negative"},
	}
	require.NoError(t, good.Validate())
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			cfg := good
			tc.mutate(&cfg)
			assert.ErrorContains(t, cfg.Validate(), tc.want)
		})
	}
}

// BenchmarkLocalGenerator reports the request rate the generator sustains against a
// loopback server that answers at once, with 50 workers.
func BenchmarkLocalGenerator(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("ok"))
	}))
	defer srv.Close()

	gen, err := NewGenerator(LocalConfig{URL: srv.URL, Concurrency: 50, Requests: int64(b.N)})
	require.NoError(b, err)
	b.ResetTimer()
	res := gen.Run(b.Context())
	b.StopTimer()

	require.Zero(b, res.Errors)
	b.ReportMetric(res.RequestsPerSecond, "req/s")
	b.ReportMetric(res.Latency.P99Ms, "p99-ms")
}
