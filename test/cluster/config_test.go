package cluster

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"
)

func testPlan() plan {
	return plan{
		BinDir:      "/cache/tools/abc/bin",
		ManifestDir: "/cache/tools/abc/manifests",
		KubeVersion: "v1.37.2",
		Ports: ports{Etcd: 40001, EtcdPeer: 40002, APIServer: 40003, ControllerManager: 40004,
			Scheduler: 40005, Kwok: 40006, MetricsServer: 40007},
		ExtraAPIArgs: []extraArg{{Key: "service-cluster-ip-range", Value: serviceCIDR}},
	}
}

// renderedDocs renders the test plan and decodes each document by kind.
func renderedDocs(t *testing.T) map[string]map[string]any {
	t.Helper()
	data, err := renderConfig(testPlan())
	require.NoError(t, err)

	docs := map[string]map[string]any{}
	for _, raw := range bytes.Split(data, []byte("---\n")) {
		if len(bytes.TrimSpace(raw)) == 0 {
			continue
		}
		var doc map[string]any
		require.NoError(t, yaml.Unmarshal(raw, &doc))
		docs[doc["kind"].(string)] = doc
	}
	return docs
}

func TestRenderConfigListensOnLoopbackOnly(t *testing.T) {
	options := renderedDocs(t)["KwokctlConfiguration"]["options"].(map[string]any)

	assert.Equal(t, "127.0.0.1", options["bindAddress"])
	assert.Equal(t, "binary", options["runtime"])
	assert.Equal(t, "v1.37.2", options["kubeVersion"])
	for key, want := range map[string]float64{
		"etcdPort": 40001, "etcdPeerPort": 40002, "kubeApiserverPort": 40003,
		"kubeControllerManagerPort": 40004, "kubeSchedulerPort": 40005,
		"kwokControllerPort": 40006, "metricsServerPort": 40007,
	} {
		assert.Equal(t, want, options[key], key)
	}
}

func TestRenderConfigHasNoRemoteSource(t *testing.T) {
	data, err := renderConfig(testPlan())
	require.NoError(t, err)
	assert.NotContains(t, string(data), "://")

	options := renderedDocs(t)["KwokctlConfiguration"]["options"].(map[string]any)
	for _, key := range sourceOptions() {
		values := stringValues(options[key])
		require.NotEmpty(t, values, key)
		for _, v := range values {
			assert.True(t, strings.HasPrefix(v, "/cache/tools/abc/"), "%s=%s", key, v)
		}
	}
	assert.Equal(t, "/cache/tools/abc/bin/kwok", options["kwokControllerBinary"])
	assert.Equal(t, []any{"/cache/tools/abc/manifests/metrics-server"},
		options["metricsServerManifests"])
}

func TestRenderConfigEnablesMetricsAndUsageCRDs(t *testing.T) {
	doc := renderedDocs(t)["KwokctlConfiguration"]
	options := doc["options"].(map[string]any)

	assert.Equal(t, []any{"metrics-server"}, options["enable"])
	assert.Equal(t, []any{"Metric", "ClusterResourceUsage", "ResourceUsage"}, options["enableCRDs"])
	assert.Equal(t, []any{map[string]any{
		"name": "kube-apiserver",
		"extraArgs": []any{map[string]any{
			"key": "service-cluster-ip-range", "value": "127.96.0.0/20",
		}},
	}}, doc["componentsPatches"])
}

func TestRenderConfigGivesKwokNodeIPPodCIDRAndParallelism(t *testing.T) {
	options := renderedDocs(t)["KwokConfiguration"]["options"].(map[string]any)

	assert.Equal(t, "127.0.0.1", options["nodeIP"])
	assert.Equal(t, "239.255.0.0/16", options["cidr"])
	for _, key := range []string{"podPlayStageParallelism", "nodePlayStageParallelism",
		"nodeLeaseParallelism", "podsOnNodeSyncParallelism"} {
		assert.Greater(t, options[key], float64(0), key)
	}
}

const savedGood = `apiVersion: config.kwok.x-k8s.io/v1alpha1
kind: KwokctlConfiguration
options:
  etcdBinary: /t/bin/etcd
  kubeApiserverBinary: /t/bin/kube-apiserver
  kubeControllerManagerBinary: /t/bin/kube-controller-manager
  kubeSchedulerBinary: /t/bin/kube-scheduler
  kubectlBinary: /t/bin/kubectl
  kwokControllerBinary: /t/bin/kwok
  metricsServerBinary: /t/bin/metrics-server
  metricsServerManifests: [/t/manifests/metrics-server]
  kectlBinary: https://example.invalid/kectl
components:
- name: etcd
  binary: /w/bin/etcd
- name: kube-apiserver
- name: metrics-server
---
apiVersion: config.kwok.x-k8s.io/v1alpha1
kind: KwokConfiguration
options:
  nodeIP: 127.0.0.1
`

func TestCheckLocal(t *testing.T) {
	tests := map[string]struct {
		saved   string
		wantErr string
	}{
		"local sources": {saved: savedGood},
		"binary URL": {
			saved: strings.Replace(savedGood, "/t/bin/metrics-server",
				"https://example.invalid/metrics-server", 1),
			wantErr: "metricsServerBinary",
		},
		"manifest URL": {
			saved: strings.Replace(savedGood, "[/t/manifests/metrics-server]",
				"[https://example.invalid/components.yaml]", 1),
			wantErr: "metricsServerManifests",
		},
		"relative path": {
			saved:   strings.Replace(savedGood, "/t/bin/kwok\n", "bin/kwok\n", 1),
			wantErr: "kwokControllerBinary",
		},
		"extra component": {
			saved:   strings.Replace(savedGood, "- name: etcd\n", "- name: prometheus\n", 1),
			wantErr: `unexpected component "prometheus"`,
		},
		"no kwokctl document": {
			saved:   "kind: KwokConfiguration\n",
			wantErr: "no KwokctlConfiguration",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			err := checkLocal([]byte(tc.saved))
			if tc.wantErr == "" {
				assert.NoError(t, err)
				return
			}
			assert.ErrorContains(t, err, tc.wantErr)
		})
	}
}

func TestFreePortsAreDistinct(t *testing.T) {
	got, err := freePorts(7)
	require.NoError(t, err)

	seen := map[uint32]bool{}
	for _, p := range got {
		assert.NotZero(t, p)
		assert.False(t, seen[p], "port %d twice", p)
		seen[p] = true
	}
	assert.Len(t, seen, 7)
}

func TestParseKubeVersion(t *testing.T) {
	got, err := parseKubeVersion("Kubernetes v1.37.2\n")
	require.NoError(t, err)
	assert.Equal(t, "v1.37.2", got)

	for _, out := range []string{"Kubernetes v0.0.0-master+$Format:%H$", "", "etcd 3.6"} {
		_, err := parseKubeVersion(out)
		assert.ErrorContains(t, err, "build.sh", out)
	}
}

func TestCheckToolsNamesTheMissingBinary(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "bin")
	_, err := checkTools(t.Context(), bin)
	assert.ErrorContains(t, err, "tool etcd missing")
	assert.ErrorContains(t, err, EnvBin)
}

func TestRenderConfigAuditAndControllerManagerArgs(t *testing.T) {
	p := testPlan()
	p.AuditPolicy = "/tmp/configs/kd-e2e-1-abc-audit-policy.yaml"
	p.ExtraComponentArgs = map[string][]extraArg{
		"metrics-server": sortedArgs(map[string]string{"metric-resolution": "60s"}),
		"kube-controller-manager": sortedArgs(map[string]string{
			"horizontal-pod-autoscaler-sync-period": "60s", "kube-api-qps": "200",
		}),
	}
	data, err := renderConfig(p)
	require.NoError(t, err)

	cfg, err := firstKwokctlConfig(data)
	require.NoError(t, err)
	assert.Equal(t, p.AuditPolicy, cfg.Options["kubeAuditPolicy"])

	var doc struct {
		Patches []struct {
			Name      string     `json:"name"`
			ExtraArgs []extraArg `json:"extraArgs"`
		} `json:"componentsPatches"`
	}
	require.NoError(t, yaml.Unmarshal(bytes.Split(data, []byte("---\n"))[1], &doc))
	require.Len(t, doc.Patches, 3)
	assert.Equal(t, "kube-controller-manager", doc.Patches[1].Name)
	assert.Equal(t, []extraArg{
		{Key: "horizontal-pod-autoscaler-sync-period", Value: "60s"},
		{Key: "kube-api-qps", Value: "200"},
	}, doc.Patches[1].ExtraArgs)
	assert.Equal(t, "metrics-server", doc.Patches[2].Name)
	assert.Equal(t, []extraArg{{Key: "metric-resolution", Value: "60s"}}, doc.Patches[2].ExtraArgs)
}

func TestRenderConfigWithoutOptionsPatchesOnlyTheAPIServer(t *testing.T) {
	data, err := renderConfig(testPlan())
	require.NoError(t, err)
	assert.NotContains(t, string(data), "kubeAuditPolicy")
	assert.NotContains(t, string(data), "name: kube-controller-manager")
}

func TestRenderConfigPodParallelism(t *testing.T) {
	assert.Equal(t, 4, kwokConfig(0)["options"].(map[string]any)["podPlayStageParallelism"])
	assert.Equal(t, 32, kwokConfig(32)["options"].(map[string]any)["podPlayStageParallelism"])
}
