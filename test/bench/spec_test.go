package bench

import (
	"fmt"
	"os"
	"strconv"
)

// Environment variables that size the simulated cluster; the defaults are the 1,000-HPA
// cluster the targets are stated for.
const (
	envHPAs       = "KUBECTL_DIRECTUS_BENCH_HPAS"
	envNamespaces = "KUBECTL_DIRECTUS_BENCH_NAMESPACES"
	envPodsPerHPA = "KUBECTL_DIRECTUS_BENCH_PODS_PER_HPA"
	envRuns       = "KUBECTL_DIRECTUS_BENCH_RUNS"
	// envHold keeps the cluster this long after the table, e.g. 30m, to profile against it.
	envHold = "KUBECTL_DIRECTUS_BENCH_HOLD"
)

// podsPerNode is how many pods each simulated node takes.
const podsPerNode = 500

// spec sizes the simulated cluster and the measurement.
type spec struct {
	HPAs         int // HPAs, each over its own Deployment
	Namespaces   int // the HPAs are spread evenly over this many namespaces
	PodsPerHPA   int // replicas of each Deployment
	EventsPerHPA int // events created for each HPA, besides those the controllers write
	Runs         int // measured runs of each command; the table shows their median
}

// specFromEnv returns the default spec with any size the environment overrides.
func specFromEnv() (spec, error) {
	s := spec{HPAs: 1000, Namespaces: 10, PodsPerHPA: 10, EventsPerHPA: 3, Runs: 5}
	for name, field := range map[string]*int{
		envHPAs: &s.HPAs, envNamespaces: &s.Namespaces, envPodsPerHPA: &s.PodsPerHPA,
		envRuns: &s.Runs,
	} {
		value := os.Getenv(name)
		if value == "" {
			continue
		}
		n, err := strconv.Atoi(value)
		if err != nil || n < 1 {
			return spec{}, fmt.Errorf("%s=%q: want a whole number of 1 or more", name, value)
		}
		*field = n
	}
	if s.HPAs < s.Namespaces {
		return spec{}, fmt.Errorf("%s=%d is fewer than %s=%d: give every namespace an HPA",
			envHPAs, s.HPAs, envNamespaces, s.Namespaces)
	}
	return s, nil
}

// pods is the number of pods the Deployments run.
func (s spec) pods() int { return s.HPAs * s.PodsPerHPA }

// nodes is the number of simulated nodes the pods are spread over.
func (s spec) nodes() int { return max(2, (s.pods()+podsPerNode-1)/podsPerNode) }

// namespace names the i-th namespace of the benchmark.
func (s spec) namespace(i int) string { return fmt.Sprintf("bench-%02d", i) }

// app describes the i-th Deployment and its HPA. Every tenth one runs hot and is pinned at
// its maximum, so the doctor has findings to report and the controller conditions to show;
// the others run just under their target, inside the controller's tolerance, so nothing
// rescales while the commands are measured.
type app struct {
	Namespace   string
	Name        string
	CPUUsage    string
	MaxReplicas int32
}

// app returns the i-th app, in namespace i mod Namespaces.
func (s spec) app(i int) app {
	a := app{Namespace: s.namespace(i % s.Namespaces), Name: fmt.Sprintf("app-%04d", i),
		CPUUsage: "65m", MaxReplicas: 20}
	if i%10 == 9 {
		a.CPUUsage, a.MaxReplicas = "95m", int32(s.PodsPerHPA)
	}
	return a
}
