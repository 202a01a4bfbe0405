package printers

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubectl-directus/kubectl-directus/pkg/load"
)

var reportStart = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func pct(v float64) *float64 { return &v }

// sampleReport is a cluster run on the product's HPA: 7 minutes of load from 0:10, cpu
// above target from 0:45, scale-ups at 5:35 and 6:35 to 6 replicas, the load stopped at
// 7:10, cpu calm from 7:20, then a watched scale-down one pod every 2 minutes from 17:20.
func sampleReport() *load.Report {
	spec := load.HPASpec{Name: "directus-directus", MinReplicas: 2, MaxReplicas: 10,
		ScaleUp: load.Behavior{WindowSeconds: 300, Select: "Max", Tolerance: 0.1,
			Policies: []load.Policy{{Type: "Pods", Value: 2, PeriodSeconds: 60}}},
		ScaleDown: load.Behavior{WindowSeconds: 600, Select: "Max", Tolerance: 0.1,
			Policies: []load.Policy{{Type: "Pods", Value: 1, PeriodSeconds: 120}}}}
	at := func(s float64) time.Time { return reportStart.Add(time.Duration(s) * time.Second) }

	rep := &load.Report{RunID: "0a1b2c3d", Namespace: "web", Mode: "cluster", Tool: "wget",
		Image: "busybox:1.37", Job: "directus-load-0a1b2c3d",
		URL: "http://directus-directus.web.svc/server/ping", Concurrency: 50, Duration: 420,
		Start: at(0), LoadStart: at(10), LoadEnd: at(430), End: at(1500), HPA: &spec,
		IntervalSeconds: 5, SyncPeriodSeconds: 15, WatchedScaleDown: true,
		Rescales: []load.Rescale{
			{At: at(335), From: 2, To: 4, Reason: "cpu resource utilization (percentage of " +
				"request) above target"},
			{At: at(395), From: 4, To: 6, Reason: "cpu resource utilization (percentage of " +
				"request) above target"},
			{At: at(1040), From: 6, To: 5, Reason: "All metrics below target"},
			{At: at(1160), From: 5, To: 4, Reason: "All metrics below target"},
			{At: at(1280), From: 4, To: 3, Reason: "All metrics below target"},
			{At: at(1400), From: 3, To: 2, Reason: "All metrics below target"},
		}}
	for s := 0.0; s <= 1500; s += 5 {
		rep.Series = append(rep.Series, sampleAt(at(s), s, rep.Rescales))
	}
	a := load.Analyze(rep.Timeline())
	rep.Analysis = &a
	return rep
}

func sampleAt(t time.Time, s float64, rescales []load.Rescale) load.Sample {
	replicas := int32(2)
	for _, r := range rescales {
		if !r.At.After(t.Add(-15 * time.Second)) {
			replicas = r.To
		}
	}
	cpu := 30.0
	if s >= 45 && s < 440 {
		cpu = 95 * 2 / float64(replicas)
		cpu = max(cpu, 80)
	}
	return load.Sample{At: t, Seconds: s, CurrentReplicas: replicas, DesiredReplicas: replicas,
		ReadyPods: replicas, Metrics: []load.MetricSample{
			{Name: "cpu", Utilization: true, Current: pct(cpu), Target: 70},
			{Name: "memory", Utilization: true, Current: pct(40), Target: 80}}}
}

// TestWriteLoadReport checks the whole text against testdata/load-report.txt; set
// UPDATE_GOLDEN=1 to rewrite the file after a deliberate change, then review the diff.
func TestWriteLoadReport(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, WriteLoadReport(&b, sampleReport()))

	golden := filepath.Join("testdata", "load-report.txt")
	if os.Getenv("UPDATE_GOLDEN") == "1" {
		require.NoError(t, os.WriteFile(golden, b.Bytes(), 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	assert.Equal(t, string(want), b.String())
}

func TestWriteLoadReportLocal(t *testing.T) {
	rep := &load.Report{RunID: "feedbeef", Mode: "local", URL: "http://127.0.0.1:8055/",
		Concurrency: 4, Requests: 1000, Start: reportStart, LoadStart: reportStart,
		LoadEnd: reportStart.Add(2 * time.Second), End: reportStart.Add(2 * time.Second),
		Local: &load.LocalResult{Requests: 1000, Errors: 2, Seconds: 2, RequestsPerSecond: 500,
			Latency: load.LatencySummary{MinMs: 1, MeanMs: 7.5, P50Ms: 6, P90Ms: 12.25,
				P99Ms: 30, MaxMs: 41},
			StatusCodes: []load.StatusCount{{Code: 200, Count: 900}, {Code: 500, Count: 98}},
			ErrorKinds:  []load.ErrorCount{{Error: "connection refused", Count: 2}}}}
	var b bytes.Buffer
	require.NoError(t, WriteLoadReport(&b, rep))

	want := `Load run feedbeef: 4 workers for 1000 requests against http://127.0.0.1:8055/, from this machine

Load                2s, from 12:00:00 to 12:00:02
Requests            1000 in 2.0s: 500.0/s, 2 errors, 0 unfinished at the end
Latency             min 1.0ms, mean 7.5ms, p50 6.0ms, p90 12.2ms, p99 30.0ms, max 41.0ms
Status codes        200: 900, 500: 98
Errors              2 x connection refused
`
	assert.Equal(t, want, b.String())
}

func TestWriteLoadData(t *testing.T) {
	rep := sampleReport()
	var b bytes.Buffer
	require.NoError(t, WriteLoadData(&b, "json", rep))

	var back map[string]any
	require.NoError(t, json.Unmarshal(b.Bytes(), &back))
	assert.Equal(t, "on time", back["firstScaleUp"].(map[string]any)["verdict"])
	assert.Len(t, back["series"], 301, "the time series is included")

	b.Reset()
	require.NoError(t, WriteLoadData(&b, "yaml", rep))
	assert.True(t, strings.HasPrefix(b.String(), "assumedSyncPeriodSeconds: 15\n"))
	assert.ErrorContains(t, WriteLoadData(&b, "xml", rep), `unknown output format "xml"`)
}

func TestLoadLive(t *testing.T) {
	var b bytes.Buffer
	live := NewLoadLive(&b, reportStart)
	spec := load.HPASpec{Name: "directus-directus"}
	s := load.Sample{At: reportStart.Add(45 * time.Second), CurrentReplicas: 2,
		DesiredReplicas: 4, ReadyPods: 2, Metrics: []load.MetricSample{
			{Name: "cpu", Utilization: true, Current: pct(95), Target: 70},
			{Name: "pods/directus_active_connections", Current: nil, Target: 100}},
		Problem: "FailedGetPodsMetric: unable to get metric"}

	live.Sample(s, spec, "")
	s.At = s.At.Add(5 * time.Second)
	live.Sample(s, spec, "12 requests, 0 errors")
	live.Rescale(load.Rescale{At: reportStart.Add(335 * time.Second), From: 2, To: 4,
		Reason: "cpu above target"})
	live.Rescale(load.Rescale{At: reportStart.Add(1075 * time.Second), From: 6, To: 5})

	want := `    45s  replicas 2 (desired 4)   ready 2   cpu 95%/70%   pods/directus_active_connections <unknown>/100
    45s  HPA problem: FailedGetPodsMetric: unable to get metric
    50s  replicas 2 (desired 4)   ready 2   cpu 95%/70%   pods/directus_active_connections <unknown>/100   generator: 12 requests, 0 errors
  5m35s  scaled up 2 -> 4: cpu above target
 17m55s  scaled down 6 -> 5
`
	assert.Equal(t, want, b.String(), "a problem is shown once, when it appears")
}
