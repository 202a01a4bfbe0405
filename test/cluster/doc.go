// Package cluster runs a real local Kubernetes control plane for end-to-end tests: etcd,
// kube-apiserver, kube-controller-manager (with the HPA controller at its default 15 s sync),
// kube-scheduler and metrics-server, all as local processes started by kwokctl's binary
// runtime, with kwok simulating nodes and pods. A pod's CPU and memory usage comes from its
// annotations kwok.x-k8s.io/usage-cpu and kwok.x-k8s.io/usage-memory (1m and 1Mi when
// absent) and reaches the HPA through metrics-server, exactly as kubelet data would.
//
// # Use
//
// Each e2e package calls Main from its TestMain and Shared from its tests:
//
//	func TestMain(m *testing.M) { cluster.Main(m) }
//
//	func TestSomething(t *testing.T) {
//		c := cluster.Shared(t)
//		ns := c.Namespace(t)
//		c.Apply(t, ns, manifest)
//		...
//	}
//
// The first Shared call starts one cluster for the whole test binary; Main deletes it when
// the tests are done. Tests share it, so each works in its own Namespace. Tests that inject
// faults (StopMetricsServer, BreakMetricsAPIService) change the cluster for everyone and must
// not call t.Parallel: Go starts parallel tests only after all sequential ones have finished,
// so a fault never overlaps them. With -short, Shared skips the test; without it, a cluster
// that cannot be built or started fails the test.
//
// # Tools
//
// The binaries come from test/tools/build.sh, which builds them from the pinned tool modules
// into a cache outside the repository. Set KUBECTL_DIRECTUS_BIN to the directory it prints to
// use them as they are; otherwise Shared runs build.sh itself. A cold build takes 15 to 20
// minutes, so either build first or give go test a -timeout of 30m or more.
//
// # Loopback only
//
// Every listener binds 127.0.0.1 on a port the kernel picked free, so several test binaries
// can run clusters side by side. Nodes are created by AddNode (never by kwokctl's node
// template, whose addresses lie elsewhere) and carry no address but 127.0.0.1, which is where
// metrics-server scrapes kwok's kubelet-style endpoint. Service cluster IPs come from
// 127.96.0.0/20, so the aggregator, which dials the cluster IP of an APIService's Service,
// can only reach this machine. Pod IPs come from PodCIDR, a multicast range to which the
// kernel refuses any TCP connection, yet valid in EndpointSlices, so Services get endpoints.
// Nothing is downloaded: the saved kwokctl configuration is checked for remote sources after
// every start.
//
// # Simulation
//
// kwokctl's default stages apply: pods become Ready as soon as they are scheduled, pods owned
// by a Job move to Succeeded right after running (so Jobs complete), and deleted pods go away.
// kwok pods run no processes: probes, logs and environment variables have no effect.
//
// First pod metrics appear 35 to 55 s after a pod starts (metrics-server needs two scrapes,
// 15 s apart, after kwok reports the pod); until then the HPA reports
// FailedGetResourceMetric. Nodes without pods have zero usage, which metrics-server drops, so
// an idle cluster serves no NodeMetrics.
//
// # Processes
//
// kwokctl starts the components and leaves them alone. While a cluster starts, and when
// StartMetricsServer runs, components that have exited are started again (on a loaded
// machine metrics-server exits if the API server is slow to answer its first requests). A
// test binary killed before Main deletes its cluster leaves the processes running; the next
// start of any harness on the machine removes such clusters, since their names carry the
// owner's pid.
package cluster
