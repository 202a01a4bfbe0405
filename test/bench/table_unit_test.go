package bench

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSummarizeTakesMediansAndThePeak(t *testing.T) {
	runs := []run{
		{Wall: 3 * time.Second, MaxRSS: 50 << 20, Audit: 30, Own: 28},
		{Wall: 1 * time.Second, MaxRSS: 90 << 20, Audit: 30, Own: 28},
		{Wall: 2 * time.Second, MaxRSS: 70 << 20, Audit: 31, Own: 29},
	}
	r := summarize("doctor", runs)
	assert.Equal(t, 2*time.Second, r.Wall)
	assert.Equal(t, [2]time.Duration{time.Second, 3 * time.Second}, r.MinMax)
	assert.Equal(t, int64(90<<20), r.MaxRSS)
	assert.Equal(t, 30, r.Audit)
	assert.Equal(t, 28, r.Own)
}

func TestWriteTableAlignsColumns(t *testing.T) {
	var b strings.Builder
	writeTable(&b, []row{
		{Label: "kubectl directus doctor -A", Runs: 5, Wall: 1500 * time.Millisecond,
			MinMax: [2]time.Duration{time.Second, 2 * time.Second}, MaxRSS: 100 << 20, Audit: 25,
			Own: 24},
		{Label: "kubectl describe hpa -A", Runs: 3, Wall: 40 * time.Second,
			MinMax: [2]time.Duration{39 * time.Second, 41 * time.Second}, MaxRSS: 80 << 20,
			Audit: 2003, Own: -1},
	})
	assert.Equal(t, `COMMAND                     RUNS  WALL (MEDIAN)  MIN..MAX        PEAK RSS  REQUESTS (AUDIT)  REQUESTS (OWN)
kubectl directus doctor -A  5     1.50s          1.00s..2.00s    100 MB    25                24
kubectl describe hpa -A     3     40.00s         39.00s..41.00s  80 MB     2003              -
`, b.String())
}

func TestParseAuditKeepsOneEventPerRequestOfTheAgent(t *testing.T) {
	log := strings.Join([]string{
		`{"auditID":"a","stage":"ResponseComplete","verb":"list","requestURI":"/api/v1/pods",` +
			`"userAgent":"kubectl-directus/v0.0.0 (linux/amd64) kubernetes/$Format"}`,
		`{"auditID":"b","stage":"ResponseStarted","verb":"watch","requestURI":"/api/v1/pods?watch=1",` +
			`"userAgent":"kubectl-directus/v0.0.0"}`,
		`{"auditID":"b","stage":"ResponseComplete","verb":"watch","requestURI":"/api/v1/pods?watch=1",` +
			`"userAgent":"kubectl-directus/v0.0.0"}`,
		`{"auditID":"c","stage":"ResponseComplete","verb":"get","requestURI":"/api",` +
			`"userAgent":"kubectl/v1.37.2 (linux/amd64) kubernetes/abc"}`,
		`{"auditID":"d","stage":"ResponseCom`,
	}, "\n")
	events, err := parseAudit(strings.NewReader(log), "kubectl-directus/")
	require.NoError(t, err)
	require.Len(t, events, 2)
	assert.Equal(t, "list", events[0].Verb)
	assert.Equal(t, "watch", events[1].Verb)

	events, err = parseAudit(strings.NewReader(log), "kubectl/")
	require.NoError(t, err)
	require.Len(t, events, 1)
	assert.Equal(t, "/api", events[0].URI)
}

func TestSpecFromEnv(t *testing.T) {
	s, err := specFromEnv()
	require.NoError(t, err)
	assert.Equal(t, spec{HPAs: 1000, Namespaces: 10, PodsPerHPA: 10, EventsPerHPA: 3, Runs: 5}, s)
	assert.Equal(t, 10000, s.pods())
	assert.Equal(t, 20, s.nodes())
	assert.Equal(t, app{Namespace: "bench-03", Name: "app-0013", CPUUsage: "65m", MaxReplicas: 20},
		s.app(13))
	assert.Equal(t, app{Namespace: "bench-09", Name: "app-0019", CPUUsage: "95m", MaxReplicas: 10},
		s.app(19))

	t.Setenv(envHPAs, "5")
	t.Setenv(envNamespaces, "10")
	_, err = specFromEnv()
	assert.ErrorContains(t, err, "give every namespace an HPA")

	t.Setenv(envHPAs, "many")
	_, err = specFromEnv()
	assert.ErrorContains(t, err, `KUBECTL_DIRECTUS_BENCH_HPAS="many"`)
}
