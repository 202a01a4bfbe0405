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
// not call t.Parallel. With -short, Shared skips the test; without it, a cluster that cannot be
// built or started fails the test.
//
// # Tools
//
// The binaries come from test/tools/build.sh, which builds them from the pinned tool modules
// into a cache outside the repository. Set KUBECTL_DIRECTUS_BIN to the directory it prints to
// use them as they are; otherwise Shared runs build.sh itself. A cold build takes about ten
// minutes, so either build first or give go test a -timeout of 30m or more.
//
// # Loopback only
//
// Every listener binds 127.0.0.1 on a port the kernel picked free, so several test binaries
// can run clusters side by side. Nodes are created by AddNode (never by kwokctl's node
// template, whose addresses lie elsewhere) and carry no address but 127.0.0.1, which is where
// metrics-server scrapes kwok's kubelet-style endpoint. The aggregator routes to endpoints,
// not to Service cluster IPs, so an APIService whose Service has no endpoints makes no
// connection at all. Nothing is downloaded: the saved kwokctl configuration is checked for
// remote sources after every start.
//
// # Simulation
//
// kwokctl's default stages apply: pods become Ready as soon as they are scheduled, pods owned
// by a Job move to Succeeded right after running (so Jobs complete), and deleted pods go away.
// kwok pods run no processes: probes, logs and environment variables have no effect.
//
// First pod metrics appear about a minute after a pod starts (metrics-server needs two
// scrapes, 15 s apart, after kwok reports the pod); until then the HPA reports
// FailedGetResourceMetric.
package cluster
