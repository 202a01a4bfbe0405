package cluster

import (
	"bytes"
	"fmt"
	"maps"
	"net"
	"path/filepath"
	"slices"
	"strings"

	"sigs.k8s.io/yaml"
)

// loopback is the only address the control plane listens on and the only node address.
const loopback = "127.0.0.1"

// PodCIDR is where kwok takes pod IPs from: 239.255.0.0/16, administratively scoped
// multicast. Pods and EndpointSlices need real-looking unicast-shaped addresses (loopback is
// refused in EndpointSlices), yet nothing here may ever connect to them: the kernel refuses
// every TCP connection to a multicast address before a packet is sent, so a stray proxy
// request to a pod stays on this machine. kwok pods run nothing, so nothing is lost.
const PodCIDR = "239.255.0.0/16"

// configAPIVersion is the API version of kwokctl's and kwok's configuration documents.
const configAPIVersion = "config.kwok.x-k8s.io/v1alpha1"

// clusterComponents lists every process the cluster runs; kwokctl must start nothing else.
func clusterComponents() []string {
	return []string{
		"etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler",
		"kwok-controller", "metrics-server",
	}
}

// ports holds one free loopback port per listener of the cluster.
type ports struct {
	Etcd, EtcdPeer, APIServer, ControllerManager, Scheduler, Kwok, MetricsServer uint32
}

// plan is everything the kwokctl configuration is rendered from.
type plan struct {
	BinDir       string // built binaries (etcd, kube-*, kubectl, kwok, metrics-server)
	ManifestDir  string // manifests copied from the tool modules by build.sh
	KubeVersion  string // e.g. v1.37.2, as the built kube-apiserver reports it
	Ports        ports
	ExtraAPIArgs []extraArg // added to kube-apiserver's command line
	// ExtraComponentArgs are added to the command line of the components they are keyed by.
	ExtraComponentArgs map[string][]extraArg
	// AuditPolicy is the path of an audit policy file; empty for no audit log.
	AuditPolicy string
	// PodParallelism is how many pods kwok moves through their stages at once; 0 is 4.
	PodParallelism int
}

// extraArg is one --key=value flag that kwokctl adds to a component.
type extraArg struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// freePorts asks the kernel for n distinct free TCP ports on the loopback address. Another
// process may take one before the cluster binds it; kernel-chosen ports make that unlikely,
// unlike kwokctl's own search, which walks down from the same port in every process.
func freePorts(n int) ([]uint32, error) {
	var out []uint32
	var listeners []net.Listener
	defer func() {
		for _, l := range listeners {
			_ = l.Close()
		}
	}()

	for range n {
		l, err := net.Listen("tcp", net.JoinHostPort(loopback, "0"))
		if err != nil {
			return nil, fmt.Errorf("finding a free port on %s: %w", loopback, err)
		}
		listeners = append(listeners, l)
		out = append(out, uint32(l.Addr().(*net.TCPAddr).Port))
	}
	return out, nil
}

// newPorts picks a free loopback port for every listener.
func newPorts() (ports, error) {
	p, err := freePorts(7)
	if err != nil {
		return ports{}, err
	}
	return ports{
		Etcd: p[0], EtcdPeer: p[1], APIServer: p[2], ControllerManager: p[3],
		Scheduler: p[4], Kwok: p[5], MetricsServer: p[6],
	}, nil
}

// renderConfig returns the multi-document kwokctl configuration for p: every binary and
// manifest is a local path, every listener is on the loopback address, and kwok gives nodes
// no address but the loopback one.
func renderConfig(p plan) ([]byte, error) {
	docs := []any{kwokctlConfig(p), kwokConfig(p.PodParallelism)}

	var buf bytes.Buffer
	for _, doc := range docs {
		out, err := yaml.Marshal(doc)
		if err != nil {
			return nil, fmt.Errorf("rendering kwokctl configuration: %w", err)
		}
		buf.WriteString("---\n")
		buf.Write(out)
	}
	return buf.Bytes(), nil
}

// kwokctlConfig is the KwokctlConfiguration document. Binary prefixes point at BinDir too, so
// an option left out here defaults to a missing local file instead of a download.
func kwokctlConfig(p plan) map[string]any {
	options := map[string]any{
		"runtime":     "binary",
		"kubeVersion": p.KubeVersion,
		"bindAddress": loopback,
		"securePort":  true,
		"quietPull":   true,
		"enable":      []string{"metrics-server"},
		"enableCRDs":  []string{"Metric", "ClusterResourceUsage", "ResourceUsage"},

		"etcdPort":                  p.Ports.Etcd,
		"etcdPeerPort":              p.Ports.EtcdPeer,
		"kubeApiserverPort":         p.Ports.APIServer,
		"kubeControllerManagerPort": p.Ports.ControllerManager,
		"kubeSchedulerPort":         p.Ports.Scheduler,
		"kwokControllerPort":        p.Ports.Kwok,
		"metricsServerPort":         p.Ports.MetricsServer,

		"metricsServerManifests": []string{filepath.Join(p.ManifestDir, "metrics-server")},
	}
	for key, name := range binaryOptions() {
		options[key] = filepath.Join(p.BinDir, name)
	}
	for _, key := range localOnlyPrefixes() {
		options[key] = p.BinDir
	}
	if p.AuditPolicy != "" {
		options["kubeAuditPolicy"] = p.AuditPolicy
	}

	patches := []map[string]any{{"name": "kube-apiserver", "extraArgs": p.ExtraAPIArgs}}
	for _, name := range slices.Sorted(maps.Keys(p.ExtraComponentArgs)) {
		if name == "kube-apiserver" {
			continue // set through ExtraAPIArgs
		}
		patches = append(patches, map[string]any{"name": name,
			"extraArgs": p.ExtraComponentArgs[name]})
	}
	return map[string]any{
		"apiVersion":        configAPIVersion,
		"kind":              "KwokctlConfiguration",
		"options":           options,
		"componentsPatches": patches,
	}
}

// binaryOptions maps kwokctl's binary options to the file names in the bin directory.
func binaryOptions() map[string]string {
	return map[string]string{
		"etcdBinary":                  "etcd",
		"kubeApiserverBinary":         "kube-apiserver",
		"kubeControllerManagerBinary": "kube-controller-manager",
		"kubeSchedulerBinary":         "kube-scheduler",
		"kubectlBinary":               "kubectl",
		"kwokControllerBinary":        "kwok",
		"metricsServerBinary":         "metrics-server",
	}
}

// localOnlyPrefixes are kwokctl options from which it derives download URLs when a binary is
// not named; they are pointed at the bin directory so nothing derived from them is remote.
func localOnlyPrefixes() []string {
	return []string{
		"kubeBinaryPrefix", "etcdBinaryPrefix", "kwokBinaryPrefix", "metricsServerBinaryPrefix",
		"prometheusBinaryPrefix", "jaegerBinaryPrefix", "kindBinaryPrefix",
	}
}

// kwokConfig is the KwokConfiguration document read by the kwok controller. kwok applies no
// defaults to a configuration it is given: without parallelism options it exits, and without
// a CIDR it gives pods no IP, so both are set here, pods' parallelism to podParallelism when
// it is positive.
func kwokConfig(podParallelism int) map[string]any {
	if podParallelism <= 0 {
		podParallelism = 4
	}
	return map[string]any{
		"apiVersion": configAPIVersion,
		"kind":       "KwokConfiguration",
		"options": map[string]any{
			"nodeIP":                    loopback,
			"cidr":                      PodCIDR,
			"podPlayStageParallelism":   podParallelism,
			"nodePlayStageParallelism":  4,
			"nodeLeaseParallelism":      4,
			"podsOnNodeSyncParallelism": 1,
		},
	}
}

// savedConfig is the part of the configuration kwokctl saves for a cluster that checkLocal
// reads.
type savedConfig struct {
	Kind    string         `json:"kind"`
	Options map[string]any `json:"options"`

	Components []struct {
		Name   string `json:"name"`
		Binary string `json:"binary"`
	} `json:"components"`
}

// sourceOptions are the saved options from which kwokctl fetches what it runs.
func sourceOptions() []string {
	return []string{
		"etcdBinary", "kubeApiserverBinary", "kubeControllerManagerBinary",
		"kubeSchedulerBinary", "kubectlBinary", "kwokControllerBinary", "metricsServerBinary",
		"metricsServerManifests",
	}
}

// checkLocal reads the configuration kwokctl saved for a cluster (kwok.yaml in its directory)
// and returns an error when the cluster runs a component it should not, or when anything it
// runs or renders would come from a URL instead of a local file.
func checkLocal(saved []byte) error {
	cfg, err := firstKwokctlConfig(saved)
	if err != nil {
		return err
	}

	for _, c := range cfg.Components {
		if !slices.Contains(clusterComponents(), c.Name) {
			return fmt.Errorf("kwokctl configured an unexpected component %q", c.Name)
		}
	}
	for _, key := range sourceOptions() {
		for _, v := range stringValues(cfg.Options[key]) {
			if strings.Contains(v, "://") || !filepath.IsAbs(v) {
				return fmt.Errorf("kwokctl option %s is %q, not a local absolute path", key, v)
			}
		}
	}
	return nil
}

// firstKwokctlConfig finds the KwokctlConfiguration document in a multi-document file.
func firstKwokctlConfig(data []byte) (savedConfig, error) {
	for _, doc := range bytes.Split(data, []byte("\n---")) {
		var cfg savedConfig
		if err := yaml.Unmarshal(doc, &cfg); err != nil {
			return savedConfig{}, fmt.Errorf("reading kwokctl's saved configuration: %w", err)
		}
		if cfg.Kind == "KwokctlConfiguration" {
			return cfg, nil
		}
	}
	return savedConfig{}, fmt.Errorf("kwokctl's saved configuration has no KwokctlConfiguration")
}

// stringValues returns v as a list of strings: a string alone, or the strings of a list.
func stringValues(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, item := range v {
			if s, ok := item.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}
