package deploy

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/yaml"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// fixedSecret returns Secret values drawn from a fixed byte stream, so renders are stable.
func fixedSecret(t *testing.T, fill byte) SecretValues {
	t.Helper()
	values, err := NewSecretValues(bytes.NewReader(bytes.Repeat([]byte{fill}, 1024)))
	require.NoError(t, err)
	return values
}

func renderDefault(t *testing.T) []*unstructured.Unstructured {
	t.Helper()
	objs, err := Render(DefaultOptions("cms"), fixedSecret(t, 1))
	require.NoError(t, err)
	return objs
}

// find returns the rendered object of kind and name, converted into a typed object.
func find[T any](t *testing.T, objs []*unstructured.Unstructured, kind, name string) *T {
	t.Helper()
	for _, obj := range objs {
		if obj.GetKind() == kind && obj.GetName() == name {
			out := new(T)
			require.NoError(t, runtime.DefaultUnstructuredConverter.FromUnstructuredWithValidation(
				obj.Object, out, true), "%s %s has a field its type does not know", kind, name)
			return out
		}
	}
	t.Fatalf("no %s %q rendered", kind, name)
	return nil
}

func TestRenderGolden(t *testing.T) {
	custom := DefaultOptions("shop")
	custom.Name = "shop"
	custom.Image = "registry.example.com:5000/directus/directus:12.1.1"
	custom.MinReplicas, custom.MaxReplicas = 3, 20
	custom.CPUTarget, custom.MemoryTarget = 60, 75
	custom.ScaleUpWindow, custom.ScaleDownWindow = 120, 900
	custom.CustomMetric = true
	custom.PublicURL = "https://cms.example.com"
	custom.StorageClass, custom.StorageSize = "fast-ssd", "50Gi"

	withMetrics := DefaultOptions("cms")
	withMetrics.WithMetricsServer = true

	cases := map[string]Options{
		"default":             DefaultOptions("cms"),
		"custom":              custom,
		"with-metrics-server": withMetrics,
	}
	for name, opts := range cases {
		t.Run(name, func(t *testing.T) {
			objs, err := Render(opts, fixedSecret(t, 7))
			require.NoError(t, err)

			var got bytes.Buffer
			for _, obj := range objs {
				out, err := yaml.Marshal(obj.Object)
				require.NoError(t, err)
				got.WriteString("---\n")
				got.Write(out)
			}
			compareGolden(t, filepath.Join("testdata", "render", name+".yaml"), got.Bytes())
		})
	}
}

func compareGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "golden file missing: run go test ./pkg/deploy -run Golden -update")
	assert.Equal(t, string(want), string(got), "%s differs; rerun with -update if intended", path)
}

func TestRenderOrder(t *testing.T) {
	var got []string
	for _, obj := range renderDefault(t) {
		got = append(got, obj.GetKind()+"/"+obj.GetName())
	}
	assert.Equal(t, []string{
		"Secret/directus-directus",
		"Service/directus-postgres",
		"StatefulSet/directus-postgres",
		"Service/directus-valkey",
		"Deployment/directus-valkey",
		"Job/directus-directus-bootstrap-" + imageHash(DefaultImage),
		"Deployment/directus-directus",
		"Service/directus-directus",
		"PodDisruptionBudget/directus-directus",
		"HorizontalPodAutoscaler/directus-directus",
	}, got)
}

func TestRenderHPAIsTheProductSpec(t *testing.T) {
	hpa := find[autoscalingv2.HorizontalPodAutoscaler](t, renderDefault(t),
		"HorizontalPodAutoscaler", "directus-directus")

	want := autoscalingv2.HorizontalPodAutoscalerSpec{
		ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{
			APIVersion: "apps/v1", Kind: "Deployment", Name: "directus-directus"},
		MinReplicas: ptr.To[int32](2),
		MaxReplicas: 10,
		Metrics: []autoscalingv2.MetricSpec{
			resourceMetric(corev1.ResourceCPU, 70),
			resourceMetric(corev1.ResourceMemory, 80),
		},
		Behavior: &autoscalingv2.HorizontalPodAutoscalerBehavior{
			ScaleUp:   rules(300, autoscalingv2.PodsScalingPolicy, 2, 60),
			ScaleDown: rules(600, autoscalingv2.PodsScalingPolicy, 1, 120),
		},
	}
	assert.Equal(t, want, hpa.Spec)
	assert.Equal(t, "autoscaling/v2", hpa.APIVersion)
}

func resourceMetric(name corev1.ResourceName, utilization int32) autoscalingv2.MetricSpec {
	return autoscalingv2.MetricSpec{
		Type: autoscalingv2.ResourceMetricSourceType,
		Resource: &autoscalingv2.ResourceMetricSource{Name: name,
			Target: autoscalingv2.MetricTarget{Type: autoscalingv2.UtilizationMetricType,
				AverageUtilization: ptr.To(utilization)}},
	}
}

func rules(window int32, policy autoscalingv2.HPAScalingPolicyType, value,
	period int32) *autoscalingv2.HPAScalingRules {
	return &autoscalingv2.HPAScalingRules{
		StabilizationWindowSeconds: ptr.To(window),
		Policies: []autoscalingv2.HPAScalingPolicy{
			{Type: policy, Value: value, PeriodSeconds: period}},
	}
}

func TestRenderHPAFlags(t *testing.T) {
	opts := DefaultOptions("cms")
	opts.MinReplicas, opts.MaxReplicas = 4, 30
	opts.CPUTarget, opts.MemoryTarget = 55, 90
	opts.ScaleUpWindow, opts.ScaleDownWindow = 0, 3600
	opts.CustomMetric = true
	objs, err := Render(opts, fixedSecret(t, 2))
	require.NoError(t, err)

	spec := find[autoscalingv2.HorizontalPodAutoscaler](t, objs, "HorizontalPodAutoscaler",
		"directus-directus").Spec
	assert.Equal(t, int32(4), *spec.MinReplicas)
	assert.Equal(t, int32(30), spec.MaxReplicas)
	assert.Equal(t, int32(55), *spec.Metrics[0].Resource.Target.AverageUtilization)
	assert.Equal(t, int32(90), *spec.Metrics[1].Resource.Target.AverageUtilization)
	assert.Equal(t, int32(0), *spec.Behavior.ScaleUp.StabilizationWindowSeconds)
	assert.Equal(t, int32(3600), *spec.Behavior.ScaleDown.StabilizationWindowSeconds)

	require.Len(t, spec.Metrics, 3)
	pods := spec.Metrics[2]
	assert.Equal(t, autoscalingv2.PodsMetricSourceType, pods.Type)
	assert.Equal(t, "directus_active_connections", pods.Pods.Metric.Name)
	assert.Equal(t, autoscalingv2.AverageValueMetricType, pods.Pods.Target.Type)
	assert.Equal(t, resource.MustParse("100"), *pods.Pods.Target.AverageValue)
}

func TestRenderDirectusDeployment(t *testing.T) {
	d := find[appsv1.Deployment](t, renderDefault(t), "Deployment", "directus-directus")
	pod := d.Spec.Template.Spec
	c := pod.Containers[0]

	assert.Nil(t, d.Spec.Replicas, "the autoscaler owns spec.replicas")
	assert.Equal(t, []string{"node", "/directus/cli.js", "start"}, c.Command)
	assert.Equal(t, DefaultImage, c.Image)
	for name, probe := range map[string]*corev1.Probe{
		"startup": c.StartupProbe, "readiness": c.ReadinessProbe, "liveness": c.LivenessProbe} {
		require.NotNil(t, probe, name)
		require.NotNil(t, probe.HTTPGet, name)
		assert.Equal(t, "/server/ping", probe.HTTPGet.Path, name)
		assert.Equal(t, intstr.FromString("http"), probe.HTTPGet.Port, name)
	}
	assert.Equal(t, int32(60), c.StartupProbe.FailureThreshold)

	require.NotNil(t, c.Lifecycle.PreStop.Sleep)
	preStop := c.Lifecycle.PreStop.Sleep.Seconds
	shutdown := envValue(t, c.Env, "SERVER_SHUTDOWN_TIMEOUT")
	assert.Equal(t, "20000", shutdown)
	assert.GreaterOrEqual(t, *pod.TerminationGracePeriodSeconds, preStop+20+5,
		"grace period must cover preStop and the shutdown timeout")

	assert.Equal(t, resource.MustParse("500m"), c.Resources.Requests[corev1.ResourceCPU])
	assert.Equal(t, resource.MustParse("1Gi"), c.Resources.Requests[corev1.ResourceMemory])
	assert.Equal(t, resource.MustParse("2Gi"), c.Resources.Limits[corev1.ResourceMemory])
	_, cpuLimit := c.Resources.Limits[corev1.ResourceCPU]
	assert.False(t, cpuLimit, "no CPU limit")

	assert.Equal(t, intstr.FromInt32(1), *d.Spec.Strategy.RollingUpdate.MaxSurge)
	assert.Equal(t, intstr.FromInt32(0), *d.Spec.Strategy.RollingUpdate.MaxUnavailable)
	assert.Equal(t, NamesFor("directus", DefaultImage).Bootstrap,
		d.Annotations[BootstrapJobAnnotation])
	assertSelectorWithoutVersion(t, d.Spec.Selector.MatchLabels, d.Spec.Template.Labels)
}

func TestRenderPodSecurityAndServiceLinks(t *testing.T) {
	objs := renderDefault(t)
	job := find[batchv1.Job](t, objs, "Job", NamesFor("directus", DefaultImage).Bootstrap)
	templates := map[string]corev1.PodSpec{
		"directus": find[appsv1.Deployment](t, objs, "Deployment", "directus-directus").
			Spec.Template.Spec,
		"valkey": find[appsv1.Deployment](t, objs, "Deployment", "directus-valkey").
			Spec.Template.Spec,
		"postgres": find[appsv1.StatefulSet](t, objs, "StatefulSet", "directus-postgres").
			Spec.Template.Spec,
		"bootstrap": job.Spec.Template.Spec,
	}
	for name, pod := range templates {
		assert.Equal(t, ptr.To(false), pod.EnableServiceLinks, name)
		assert.Equal(t, ptr.To(false), pod.AutomountServiceAccountToken, name)
		require.NotNil(t, pod.SecurityContext, name)
		assert.Equal(t, ptr.To(true), pod.SecurityContext.RunAsNonRoot, name)
		assert.NotNil(t, pod.SecurityContext.RunAsUser, "%s: runAsNonRoot needs a numeric user", name)
		assert.NotZero(t, *pod.SecurityContext.RunAsUser, name)
		for _, c := range pod.Containers {
			assert.Equal(t, ptr.To(false), c.SecurityContext.AllowPrivilegeEscalation, name)
			assert.Equal(t, []corev1.Capability{"ALL"}, c.SecurityContext.Capabilities.Drop, name)
			assert.False(t, c.Resources.Requests.Cpu().IsZero(), "%s needs a cpu request", name)
			assert.False(t, c.Resources.Requests.Memory().IsZero(), "%s needs a memory request", name)
		}
	}
	assert.Equal(t, int64(1000), *templates["directus"].SecurityContext.RunAsUser)
	assert.Equal(t, int64(1000), *templates["bootstrap"].SecurityContext.RunAsUser)
}

func TestRenderSharedStateSettings(t *testing.T) {
	objs := renderDefault(t)
	d := find[appsv1.Deployment](t, objs, "Deployment", "directus-directus")
	env := d.Spec.Template.Spec.Containers[0].Env

	want := map[string]string{
		"DB_CLIENT": "pg", "DB_HOST": "directus-postgres", "DB_PORT": "5432",
		"REDIS_HOST": "directus-valkey", "REDIS_PORT": "6379",
		"CACHE_STORE": "redis", "SYNCHRONIZATION_STORE": "redis", "RATE_LIMITER_STORE": "redis",
		"PM2_INSTANCES": "1", "DB_POOL__MAX": "8",
		"PUBLIC_URL": "http://directus-directus.cms.svc",
	}
	for name, value := range want {
		assert.Equal(t, value, envValue(t, env, name), name)
	}
	for name, key := range map[string]string{"SECRET": KeySecret, "DB_PASSWORD": KeyDBPassword,
		"REDIS_PASSWORD": KeyRedisPassword} {
		ref := envSecretRef(t, env, name)
		assert.Equal(t, "directus-directus", ref.Name, name)
		assert.Equal(t, key, ref.Key, name)
	}
	for _, e := range env {
		assert.NotEqual(t, "ADMIN_PASSWORD", e.Name, "the admin password belongs to the Job only")
		assert.Nil(t, nilIfSecretLiteral(e), "%s must come from the Secret", e.Name)
	}
	assert.Equal(t, KeyAdminPassword, envSecretRef(t,
		find[batchv1.Job](t, objs, "Job", NamesFor("directus", DefaultImage).Bootstrap).
			Spec.Template.Spec.Containers[0].Env, "ADMIN_PASSWORD").Key)
}

// nilIfSecretLiteral returns e when it holds a secret as a literal value.
func nilIfSecretLiteral(e corev1.EnvVar) *corev1.EnvVar {
	switch e.Name {
	case "SECRET", "DB_PASSWORD", "REDIS_PASSWORD", "ADMIN_PASSWORD":
		if e.Value != "" {
			return &e
		}
	}
	return nil
}

func envValue(t *testing.T, env []corev1.EnvVar, name string) string {
	t.Helper()
	for _, e := range env {
		if e.Name == name {
			return e.Value
		}
	}
	t.Fatalf("env %s not set", name)
	return ""
}

func envSecretRef(t *testing.T, env []corev1.EnvVar, name string) *corev1.SecretKeySelector {
	t.Helper()
	for _, e := range env {
		if e.Name == name {
			require.NotNil(t, e.ValueFrom, name)
			require.NotNil(t, e.ValueFrom.SecretKeyRef, name)
			return e.ValueFrom.SecretKeyRef
		}
	}
	t.Fatalf("env %s not set", name)
	return nil
}

func assertSelectorWithoutVersion(t *testing.T, selector, podLabels map[string]string) {
	t.Helper()
	assert.NotContains(t, selector, LabelVersion, "version must never be in a selector")
	for key, value := range selector {
		assert.Equal(t, value, podLabels[key], "pod template must match selector %s", key)
	}
}

func TestRenderPDBAndTopologySpread(t *testing.T) {
	objs := renderDefault(t)
	pdb := find[policyv1.PodDisruptionBudget](t, objs, "PodDisruptionBudget", "directus-directus")
	assert.Equal(t, intstr.FromInt32(1), *pdb.Spec.MaxUnavailable)
	assert.Nil(t, pdb.Spec.MinAvailable)
	assert.Equal(t, policyv1.AlwaysAllow, *pdb.Spec.UnhealthyPodEvictionPolicy)

	d := find[appsv1.Deployment](t, objs, "Deployment", "directus-directus")
	assert.Equal(t, d.Spec.Selector.MatchLabels, pdb.Spec.Selector.MatchLabels)

	spread := d.Spec.Template.Spec.TopologySpreadConstraints
	require.Len(t, spread, 2)
	keys := []string{spread[0].TopologyKey, spread[1].TopologyKey}
	assert.Equal(t, []string{"kubernetes.io/hostname", "topology.kubernetes.io/zone"}, keys)
	for _, c := range spread {
		assert.Equal(t, int32(1), c.MaxSkew)
		assert.Equal(t, corev1.ScheduleAnyway, c.WhenUnsatisfiable)
		assert.Equal(t, []string{"pod-template-hash"}, c.MatchLabelKeys)
		assert.Equal(t, d.Spec.Selector.MatchLabels, c.LabelSelector.MatchLabels)
	}
}

func TestRenderPostgresAndValkey(t *testing.T) {
	objs := renderDefault(t)
	sts := find[appsv1.StatefulSet](t, objs, "StatefulSet", "directus-postgres")
	pg := sts.Spec.Template.Spec.Containers[0]
	assert.Equal(t, DefaultPostgresImage, pg.Image)
	assert.Equal(t, "pg_isready", pg.ReadinessProbe.Exec.Command[0])
	assert.Equal(t, "pg_isready", pg.LivenessProbe.Exec.Command[0])
	assert.Equal(t, "/var/lib/postgresql/data/pgdata", envValue(t, pg.Env, "PGDATA"))
	assert.Equal(t, []string{"-c", "max_connections=100"}, pg.Args)
	require.Len(t, sts.Spec.VolumeClaimTemplates, 1)
	claim := sts.Spec.VolumeClaimTemplates[0]
	assert.Nil(t, claim.Spec.StorageClassName, "empty --storage-class uses the default class")
	assert.Equal(t, resource.MustParse("10Gi"), claim.Spec.Resources.Requests[corev1.ResourceStorage])
	assert.Equal(t, ManagedByValue, claim.Labels[LabelManagedBy], "delete finds claims by label")
	assert.Equal(t, appsv1.RetainPersistentVolumeClaimRetentionPolicyType,
		sts.Spec.PersistentVolumeClaimRetentionPolicy.WhenDeleted)

	valkey := find[appsv1.Deployment](t, objs, "Deployment", "directus-valkey")
	vc := valkey.Spec.Template.Spec.Containers[0]
	assert.Equal(t, []string{"--requirepass", "$(REDIS_PASSWORD)"}, vc.Args[:2])
	assert.Equal(t, KeyRedisPassword, envSecretRef(t, vc.Env, "REDIS_PASSWORD").Key)
}

func TestRenderBootstrapJob(t *testing.T) {
	opts := DefaultOptions("cms")
	first, err := Render(opts, fixedSecret(t, 1))
	require.NoError(t, err)
	opts.Image = "directus/directus:12.2.1"
	second, err := Render(opts, fixedSecret(t, 1))
	require.NoError(t, err)

	oldName := NamesFor("directus", DefaultImage).Bootstrap
	newName := NamesFor("directus", opts.Image).Bootstrap
	assert.NotEqual(t, oldName, newName, "a new image needs a new Job")
	assert.LessOrEqual(t, len(newName), 63)

	job := find[batchv1.Job](t, second, "Job", newName)
	c := job.Spec.Template.Spec.Containers[0]
	assert.Equal(t, []string{"node", "/directus/cli.js", "bootstrap"}, c.Command)
	assert.Equal(t, opts.Image, c.Image)
	assert.Equal(t, corev1.RestartPolicyNever, job.Spec.Template.Spec.RestartPolicy)
	assert.Equal(t, int32(1), *job.Spec.Completions)
	assert.Equal(t, "12.2.1", job.Labels[LabelVersion])

	d := find[appsv1.Deployment](t, second, "Deployment", "directus-directus")
	assert.Equal(t, newName, d.Annotations[BootstrapJobAnnotation])
	find[batchv1.Job](t, first, "Job", oldName)
}

func TestRenderSecret(t *testing.T) {
	secret := fixedSecret(t, 3)
	objs, err := Render(DefaultOptions("cms"), secret)
	require.NoError(t, err)

	s := find[corev1.Secret](t, objs, "Secret", "directus-directus")
	assert.Equal(t, map[string][]byte(secret), s.Data)
	d := find[appsv1.Deployment](t, objs, "Deployment", "directus-directus")
	assert.Equal(t, secret.Hash(), d.Spec.Template.Annotations[SecretHashAnnotation])
}

func TestConnectionBudget(t *testing.T) {
	cases := []struct {
		max            int32
		pool, maxConns int
	}{
		{max: 10, pool: 8, maxConns: 100},  // (10+1) x 8 = 88 <= 90
		{max: 1, pool: 10, maxConns: 100},  // capped at Knex's default of 10
		{max: 20, pool: 4, maxConns: 100},  // 21 x 4 = 84
		{max: 100, pool: 2, maxConns: 212}, // the smallest pool does not fit: raise the limit
	}
	for _, c := range cases {
		pool, conns := connectionBudget(c.max)
		assert.Equal(t, c.pool, pool, "max %d", c.max)
		assert.Equal(t, c.maxConns, conns, "max %d", c.max)
		assert.LessOrEqual(t, (int(c.max)+maxSurge)*pool, conns-connectionHeadroom)
	}
}

func envOf(env []corev1.EnvVar, name string) string {
	for _, e := range env {
		if e.Name == name {
			return e.Value
		}
	}
	return ""
}
