package load

import (
	"sort"
	"time"
)

// LocalResult is what one run of the in-process generator measured.
type LocalResult struct {
	URL         string `json:"url"`
	Concurrency int    `json:"concurrency"`
	// Seconds is how long the run took, from the first request to the last answer.
	Seconds float64 `json:"seconds"`
	// Requests counts every request that ended, answered or failed; Errors counts those that
	// got no HTTP response at all.
	Requests int64 `json:"requests"`
	Errors   int64 `json:"errors"`
	// Unfinished counts the requests the end of the run found still waiting for an answer;
	// they are in neither Requests nor the latencies.
	Unfinished        int64   `json:"unfinished"`
	RequestsPerSecond float64 `json:"requestsPerSecond"`
	BytesRead         int64   `json:"bytesRead"`
	// Latency covers answered requests only, from sending to the end of the body.
	Latency LatencySummary `json:"latency"`
	// StatusCodes counts answers by HTTP status code.
	StatusCodes []StatusCount `json:"statusCodes"`
	// ErrorKinds counts failures by message, most frequent first.
	ErrorKinds []ErrorCount `json:"errorKinds,omitempty"`
}

// LatencySummary gives latencies in milliseconds, to within the histogram's 0.8 %.
type LatencySummary struct {
	MinMs  float64 `json:"minMs"`
	MeanMs float64 `json:"meanMs"`
	P50Ms  float64 `json:"p50Ms"`
	P90Ms  float64 `json:"p90Ms"`
	P99Ms  float64 `json:"p99Ms"`
	MaxMs  float64 `json:"maxMs"`
}

// StatusCount is the number of answers with one status code.
type StatusCount struct {
	Code  int   `json:"code"`
	Count int64 `json:"count"`
}

// ErrorCount is the number of failures with one message.
type ErrorCount struct {
	Error string `json:"error"`
	Count int64  `json:"count"`
}

// Answered is the number of requests that got an HTTP response, whatever its status.
func (r *LocalResult) Answered() int64 { return r.Requests - r.Errors }

// result freezes the counters into a LocalResult.
func (g *Generator) result(elapsed time.Duration) *LocalResult {
	r := &LocalResult{
		URL:         g.cfg.URL,
		Concurrency: g.cfg.Concurrency,
		Seconds:     elapsed.Seconds(),
		Requests:    g.done.Load(),
		Errors:      g.failed.Load(),
		Unfinished:  g.cut.Load(),
		BytesRead:   g.bytes.Load(),
		Latency:     summarize(g.latency),
	}
	if elapsed > 0 {
		r.RequestsPerSecond = float64(r.Requests) / elapsed.Seconds()
	}
	for code := range g.codes {
		if n := g.codes[code].Load(); n > 0 {
			r.StatusCodes = append(r.StatusCodes, StatusCount{Code: code, Count: n})
		}
	}
	r.ErrorKinds = g.errorCounts()
	return r
}

func (g *Generator) errorCounts() []ErrorCount {
	g.mu.Lock()
	defer g.mu.Unlock()

	out := make([]ErrorCount, 0, len(g.errors))
	for msg, n := range g.errors {
		out = append(out, ErrorCount{Error: msg, Count: n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Error < out[j].Error
	})
	return out
}

func summarize(h *Histogram) LatencySummary {
	return LatencySummary{
		MinMs:  ms(h.Min()),
		MeanMs: ms(h.Mean()),
		P50Ms:  ms(h.Quantile(0.50)),
		P90Ms:  ms(h.Quantile(0.90)),
		P99Ms:  ms(h.Quantile(0.99)),
		MaxMs:  ms(h.Max()),
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
