package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/kubectl-directus/kubectl-directus/test/cluster"
)

// Targets of the benchmark, against the raw floor and kubectl describe.
const (
	maxFloorRatio    = 1.5       // doctor -A at most 1.5× `kubectl get … -o json`
	minDescribeRatio = 5.0       // doctor -A under a fifth of `kubectl describe hpa -A`
	maxRSS           = 200 << 20 // bytes
)

// BenchmarkScale builds the simulated cluster, measures doctor, top, kubectl describe and
// the raw floor side by side, prints the table and the targets, and compares the doctor's
// and top's cluster-wide results with a namespace-by-namespace run. Run it once:
//
//	go test -run '^$' -bench Scale -benchtime 1x -timeout 60m ./test/bench/
func BenchmarkScale(b *testing.B) {
	s, err := specFromEnv()
	if err != nil {
		b.Fatal(err)
	}
	c := cluster.Shared(b)
	plugin := cluster.Plugin(b)
	buildWorld(b, c, s)
	// Frozen from here on: no controller writes while the commands are measured and compared,
	// so every run reads the same cluster.
	c.PauseControllerManager(b)
	ctx := b.Context()

	cmds := benchCommands(plugin, filepath.Join(c.BinDir, "kubectl"))
	direct := newRunner(b, c, c.Kubeconfig)
	rows := measureAll(b, direct, cmds, s.Runs)
	proxy := startLatencyProxy(b, serverAddr(b, c.Kubeconfig), networkRTT)
	remote := newRunner(b, c, kubeconfigThrough(b, c.Kubeconfig, proxy.Addr()))
	remoteRows := measureAll(b, remote, cmds, s.Runs)

	counts, err := fixedCost(ctx, direct, plugin, s)
	if err != nil {
		b.Fatal(err)
	}
	same, err := sameAsByNamespace(ctx, direct, plugin, s)
	if err != nil {
		b.Fatal(err)
	}

	report(b, s, rows, remoteRows, counts, same)
	hold(b, c)
}

// networkRTT is the round trip of the second table: an API server in the same region.
const networkRTT = 10 * time.Millisecond

// measureAll measures every command n times through r.
func measureAll(b *testing.B, r *runner, cmds []command, n int) []row {
	rows := make([]row, 0, len(cmds))
	for _, cmd := range cmds {
		runs, err := r.measure(b.Context(), cmd, n)
		if err != nil {
			b.Fatal(err)
		}
		rows = append(rows, summarize(cmd.Label, runs))
		b.Logf("bench: measured %s", cmd.Label)
	}
	return rows
}

// benchCommands are the rows of the table: ours first, then kubectl's.
func benchCommands(plugin, kubectl string) []command {
	return []command{
		{Label: "kubectl directus doctor -A", Binary: plugin, Args: []string{"doctor", "-A"},
			OK: []int{0, 2}, Plugin: true},
		{Label: "kubectl directus top -A", Binary: plugin, Args: []string{"top", "-A"},
			Plugin: true},
		{Label: "kubectl describe hpa -A", Binary: kubectl,
			Args: []string{"describe", "hpa", "-A"}},
		{Label: "kubectl get hpa,deploy,pods,events -A -o json", Binary: kubectl,
			Args: []string{"get", "hpa,deploy,pods,events", "-A", "-o", "json"}},
	}
}

// requestCounts are the doctor's requests in scopes of growing size.
type requestCounts struct {
	Empty, OneNamespace, All int // 0 HPAs, HPAs/Namespaces HPAs, every HPA
}

// fixedCost counts the doctor's requests in a namespace with no HPA, in one benchmark
// namespace, and cluster-wide.
func fixedCost(ctx context.Context, r *runner, plugin string, s spec) (requestCounts, error) {
	count := func(args ...string) (int, error) {
		cmd := command{Label: "doctor " + fmt.Sprint(args), Binary: plugin,
			Args: append([]string{"doctor"}, args...), OK: []int{0, 2}, Plugin: true}
		res, err := r.once(ctx, cmd, false)
		return res.Own, err
	}
	var out requestCounts
	var err error
	if out.Empty, err = count("-n", emptyNamespace); err != nil {
		return out, err
	}
	if out.OneNamespace, err = count("-n", s.namespace(0)); err != nil {
		return out, err
	}
	out.All, err = count("-A")
	return out, err
}

// comparison says whether cluster-wide and namespace-by-namespace runs agreed.
type comparison struct {
	DoctorDiff, TopDiff []string // keys seen on one side only
	DoctorKeys, TopKeys int
}

// sameAsByNamespace runs doctor and top with -A and then in every namespace, and compares.
func sameAsByNamespace(ctx context.Context, r *runner, plugin string,
	s spec) (comparison, error) {
	var out comparison
	doctorAll, doctorEach, err := bothWays(ctx, r, plugin, s, "doctor", doctorKeys)
	if err != nil {
		return out, err
	}
	topAll, topEach, err := bothWays(ctx, r, plugin, s, "top", topKeys)
	if err != nil {
		return out, err
	}
	out.DoctorDiff, out.DoctorKeys = symmetricDiff(doctorAll, doctorEach), len(doctorAll)
	out.TopDiff, out.TopKeys = symmetricDiff(topAll, topEach), len(topAll)
	return out, nil
}

// bothWays runs verb -A -o json once and verb -n NS -o json per namespace, and returns the
// keys of each side.
func bothWays(ctx context.Context, r *runner, plugin string, s spec, verb string,
	keys func([]byte) ([]string, error)) (all, each []string, err error) {
	run := func(scope ...string) ([]string, error) {
		cmd := command{Label: verb, Binary: plugin, OK: []int{0, 2}, Plugin: true,
			Args: append(append([]string{verb}, scope...), "-o", "json")}
		res, err := r.once(ctx, cmd, true)
		if err != nil {
			return nil, err
		}
		return keys([]byte(res.Stdout))
	}
	if all, err = run("-A"); err != nil {
		return nil, nil, err
	}
	for i := range s.Namespaces {
		got, err := run("-n", s.namespace(i))
		if err != nil {
			return nil, nil, err
		}
		each = append(each, got...)
	}
	return all, each, nil
}

// doctorKeys names each finding and check result of a doctor JSON report by what must not
// depend on the scope: ID, severity, subject and message; evidence carries live values and
// is left out. Cluster-level results repeat in every namespace and count once.
func doctorKeys(data []byte) ([]string, error) {
	var report struct {
		Findings []struct {
			ID, Severity, Message string
			Subject               struct{ Kind, Namespace, Name string }
		}
		Checked []struct {
			ID, Result string
			Subject    *struct{ Kind, Namespace, Name string }
		}
	}
	if err := json.Unmarshal(data, &report); err != nil {
		return nil, fmt.Errorf("reading the doctor's JSON: %w", err)
	}
	var keys []string
	for _, f := range report.Findings {
		keys = append(keys, fmt.Sprintf("finding %s %s %s/%s/%s: %s", f.ID, f.Severity,
			f.Subject.Kind, f.Subject.Namespace, f.Subject.Name, f.Message))
	}
	for _, c := range report.Checked {
		subject := "cluster"
		if c.Subject != nil {
			subject = c.Subject.Kind + "/" + c.Subject.Namespace + "/" + c.Subject.Name
		}
		keys = append(keys, fmt.Sprintf("check %s %s %s", c.ID, subject, c.Result))
	}
	return keys, nil
}

// topKeys names each pod row of top's JSON by HPA and pod.
func topKeys(data []byte) ([]string, error) {
	var view struct {
		HPAs []struct {
			Namespace, Name string
			Pods            []struct{ Name string }
		}
	}
	if err := json.Unmarshal(data, &view); err != nil {
		return nil, fmt.Errorf("reading top's JSON: %w", err)
	}
	var keys []string
	for _, h := range view.HPAs {
		for _, p := range h.Pods {
			keys = append(keys, h.Namespace+"/"+h.Name+" "+p.Name)
		}
	}
	return keys, nil
}

// symmetricDiff returns the distinct keys found on one side only, marked with the side.
func symmetricDiff(all, each []string) []string {
	inAll, inEach := toSet(all), toSet(each)
	var out []string
	for k := range inAll {
		if !inEach[k] {
			out = append(out, "only with -A: "+k)
		}
	}
	for k := range inEach {
		if !inAll[k] {
			out = append(out, "only per namespace: "+k)
		}
	}
	slices.Sort(out)
	return out
}

func toSet(keys []string) map[string]bool {
	set := make(map[string]bool, len(keys))
	for _, k := range keys {
		set[k] = true
	}
	return set
}

// report prints both tables and the verdicts, reports the doctor's figures as benchmark
// metrics, and fails the benchmark on the targets that do not depend on the machine's load.
func report(b *testing.B, s spec, rows, remote []row, counts requestCounts, same comparison) {
	fmt.Fprintf(os.Stdout, "\nSimulated cluster: %d HPAs over %d Deployments in %d namespaces, "+
		"%d pods on %d nodes, %d events written besides the controllers'; median of %d runs.\n",
		s.HPAs, s.HPAs, s.Namespaces, s.pods(), s.nodes(), s.HPAs*s.EventsPerHPA, s.Runs)
	fmt.Fprintf(os.Stdout, "\nAPI server on the loopback interface:\n\n")
	writeTable(os.Stdout, rows)
	fmt.Fprintf(os.Stdout, "\nThrough a loopback proxy adding a %s round trip per request:\n\n",
		networkRTT)
	writeTable(os.Stdout, remote)
	fmt.Fprintln(os.Stdout)

	verdicts := targets(rows, remote, counts, same)
	writeVerdicts(os.Stdout, verdicts)
	fmt.Fprintf(os.Stdout, "\n%s\n%s\n", markdownTable(rows), markdownTable(remote))
	for _, d := range append(same.DoctorDiff, same.TopDiff...) {
		fmt.Fprintln(os.Stdout, "  "+d)
	}

	doctor := rows[0]
	b.ReportMetric(doctor.Wall.Seconds(), "doctor-s")
	b.ReportMetric(float64(doctor.MaxRSS)/(1<<20), "doctor-MB")
	b.ReportMetric(float64(doctor.Audit), "doctor-requests")
	for _, v := range verdicts[:2] { // request count and results: deterministic
		if !v.Met {
			b.Errorf("target missed: %s: %s", v.Target, v.Seen)
		}
	}
}

// targets judges the measured figures against the targets. Time ratios are judged on both
// tables; on the loopback interface describe's thousand requests cost next to nothing each,
// which no real network gives them.
func targets(rows, remote []row, counts requestCounts, same comparison) []verdict {
	ratio := func(a, b row) float64 { return a.Wall.Seconds() / b.Wall.Seconds() }
	doctor, describe, floor := rows[0], rows[2], rows[3]
	rDoctor, rDescribe, rFloor := remote[0], remote[2], remote[3]
	both := func(r, rr float64) string {
		return fmt.Sprintf("%.2f× (loopback), %.2f× (%s)", r, rr, networkRTT)
	}
	return []verdict{
		{Target: "doctor requests do not grow with the number of HPAs",
			Seen: fmt.Sprintf("0 HPAs: %d, one namespace: %d, every HPA (-A): %d", counts.Empty,
				counts.OneNamespace, counts.All),
			Met: counts.All <= counts.Empty && counts.OneNamespace <= counts.Empty},
		{Target: "doctor and top -A agree with a namespace-by-namespace run",
			Seen: fmt.Sprintf("doctor %d results, %d differ; top %d pod rows, %d differ",
				same.DoctorKeys, len(same.DoctorDiff), same.TopKeys, len(same.TopDiff)),
			Met: len(same.DoctorDiff) == 0 && len(same.TopDiff) == 0 && same.TopKeys > 0},
		{Target: fmt.Sprintf("doctor -A within %.1f× the raw floor", maxFloorRatio),
			Seen: both(ratio(doctor, floor), ratio(rDoctor, rFloor)),
			Met:  ratio(doctor, floor) <= maxFloorRatio && ratio(rDoctor, rFloor) <= maxFloorRatio},
		{Target: fmt.Sprintf("doctor -A under 1/%.0f of describe hpa -A (loopback)",
			minDescribeRatio),
			Seen: both(ratio(doctor, describe), ratio(rDoctor, rDescribe)),
			Met:  ratio(doctor, describe) < 1/minDescribeRatio},
		{Target: fmt.Sprintf("doctor -A under 1/%.0f of describe hpa -A (%s)", minDescribeRatio,
			networkRTT),
			Seen: both(ratio(doctor, describe), ratio(rDoctor, rDescribe)),
			Met:  ratio(rDoctor, rDescribe) < 1/minDescribeRatio},
		{Target: fmt.Sprintf("doctor -A peak memory under %s", megabytes(maxRSS)),
			Seen: fmt.Sprintf("%s (loopback), %s (%s)", megabytes(doctor.MaxRSS),
				megabytes(rDoctor.MaxRSS), networkRTT),
			Met: max(doctor.MaxRSS, rDoctor.MaxRSS) < maxRSS},
	}
}

// hold keeps the cluster for as long as KUBECTL_DIRECTUS_BENCH_HOLD says, for profiling.
func hold(b *testing.B, c *cluster.Cluster) {
	value := os.Getenv(envHold)
	if value == "" {
		return
	}
	d, err := time.ParseDuration(value)
	if err != nil {
		b.Fatalf("%s=%q: want a duration such as 30m", envHold, value)
	}
	b.Logf("bench: holding the cluster for %s: KUBECONFIG=%s", d, c.Kubeconfig)
	select {
	case <-b.Context().Done():
	case <-time.After(d):
	}
}
