package diagnose

import (
	"testing"
)

const cms = "Deployment/shop/cms"

func TestBaselineHasNoErrorOrWarning(t *testing.T) {
	report := runChecks(loadFixture(t))

	for _, f := range report.Findings {
		if f.Severity >= Warning {
			t.Errorf("baseline: %s %s: %s %q", f.ID, f.Severity, f.Message, f.Evidence)
		}
	}
}

// fixtureCase is one state of a case: the files patched onto the baseline, the findings it
// must produce and those it must not.
type fixtureCase struct {
	name  string
	files []string
	want  []expect
	not   []absent
}

func runCases(t *testing.T, cases []fixtureCase) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			report := runChecks(loadFixture(t, tc.files...))
			assertFindings(t, report, tc.want, tc.not)
		})
	}
}

func TestK18SecretUnset(t *testing.T) {
	noSecretFinding := []absent{{ID: "DX06", Severity: Info}}
	runCases(t, []fixtureCase{
		{name: "main", files: []string{"k18-main.yaml"},
			want: []expect{{ID: "DX06", Severity: Error, Subject: cms, Evidence: []string{
				"container directus", "replicas 2-10 (HPA cms)", "env of container directus",
				"envFrom ConfigMap cms-config", "Secret cms-secrets (referenced for DB_PASSWORD",
				"SECRET_FILE unset"}}}},
		{name: "P1 secretKeyRef", files: []string{"k18-main.yaml", "k18-p1.yaml"},
			not: noSecretFinding},
		{name: "P2 envFrom Secret", files: []string{"k18-main.yaml", "k18-p2.yaml"},
			not: noSecretFinding},
		{name: "P3 SECRET_FILE", files: []string{"k18-main.yaml", "k18-p3.yaml"},
			not: noSecretFinding},
		{name: "D different Secrets per ReplicaSet", files: []string{"k18-rollout.yaml"},
			want: []expect{{ID: "DX06", Severity: Warning, Subject: cms, Evidence: []string{
				"ReplicaSet cms-7d9c5 (1 pod): SECRET from Secret cms-secrets-r4 key SECRET",
				"ReplicaSet cms-86f2b (1 pod): SECRET from Secret cms-secrets-r5 key SECRET"}}},
			not: []absent{{ID: "DX06", Severity: Error}}},
		{name: "L literal", files: []string{"k18-literal.yaml"},
			want: []expect{{ID: "DX06", Severity: Warning, Subject: cms, Evidence: []string{
				"container directus", "literal value in the pod template",
				"8 characters (not shown)"}}},
			not: []absent{{ID: "DX06", Severity: Error}}},
		{name: "must not: optional ref to a missing key is not set",
			files: []string{"k18-main.yaml", "k18-optional.yaml"},
			want: []expect{{ID: "DX06", Severity: Warning, Subject: cms, Evidence: []string{
				"SECRET possibly from optional Secret cms-secrets key SECRET"}}}},
	})
}

func TestK18LiteralValueIsNeverPrinted(t *testing.T) {
	report := runChecks(loadFixture(t, "k18-literal.yaml"))

	for _, f := range report.Findings {
		for _, text := range append([]string{f.Message, f.Remediation}, f.Evidence...) {
			if containsFold(text, "changeme") {
				t.Errorf("%s prints the secret value: %q", f.ID, text)
			}
		}
	}
}

func TestK19InMemoryStores(t *testing.T) {
	runCases(t, []fixtureCase{
		{name: "main", files: []string{"k19-main.yaml"}, want: []expect{
			{ID: "DX02", Severity: Error, Subject: cms, Evidence: []string{
				"replicas 2-10 (HPA cms)", "REDIS, REDIS_HOST and every REDIS_* variable unset",
				"Service kv (port 6379, 1 ready endpoint) could serve as the Redis"}},
			{ID: "DX03", Severity: Error, Subject: cms, Evidence: []string{
				"replicas 2-10 (HPA cms)", "CACHE_STORE=memory (env value)"}},
			{ID: "DX04", Severity: Warning, Subject: cms, Evidence: []string{
				"SYNCHRONIZATION_STORE unset (default memory)"}},
			{ID: "DX05", Severity: Warning, Subject: cms, Evidence: []string{
				"RATE_LIMITER_ENABLED=true (env value)",
				"RATE_LIMITER_STORE unset (default memory)"}},
		}},
		{name: "B Redis set, stores not", files: []string{"k19-redis-only.yaml"},
			want: []expect{
				{ID: "DX03", Severity: Error, Subject: cms, Evidence: []string{
					"CACHE_STORE unset (default memory)"}},
				{ID: "DX04", Severity: Warning, Subject: cms, Evidence: []string{
					"SYNCHRONIZATION_STORE unset (default memory)"}},
			},
			not: []absent{{ID: "DX02", Severity: Info}, {ID: "DX05", Severity: Info}}},
		{name: "C Redis unreachable", files: []string{"k19-redis-down.yaml"},
			want: []expect{{ID: "DX08", Severity: Error, Subject: cms, Evidence: []string{
				"Redis address kv:6379 -> Service shop/kv", "0 ready endpoints",
				"Service kv selects 1 pods, none Ready"}}},
			not: storesSilent()},
		{name: "C Redis scaling to zero", files: []string{"k19-redis-terminating.yaml"},
			want: []expect{{ID: "DX08", Severity: Error, Subject: cms, Evidence: []string{
				"Service kv selects 0 pods, none Ready; 1 more terminating: kv-0"}}},
			not: storesSilent()},
		{name: "D single replica, no HPA", files: []string{"k19-main.yaml", "k19-single.yaml"},
			not: storesSilent()},
		{name: "D single replica, HPA max 1",
			files: []string{"k19-main.yaml", "k19-single-hpa.yaml"}, not: storesSilent()},
	})
}

// storesSilent says none of the store checks may report anything above info.
func storesSilent() []absent {
	return []absent{{ID: "DX01", Severity: Warning}, {ID: "DX02", Severity: Warning},
		{ID: "DX03", Severity: Warning}, {ID: "DX04", Severity: Warning},
		{ID: "DX05", Severity: Warning}}
}

func TestK20Probes(t *testing.T) {
	noProbeFinding := []absent{{ID: "DX15", Severity: Info}}
	runCases(t, []fixtureCase{
		{name: "main: chart default on /", files: []string{"k20-main.yaml"}, want: []expect{
			{ID: "DX15", Severity: Warning, Subject: cms, Evidence: []string{
				"container directus", "readinessProbe httpGet path / port http"}},
			{ID: "DX15", Severity: Warning, Subject: cms, Evidence: []string{
				"container directus", "livenessProbe httpGet path / port http"}},
			{ID: "DX15", Severity: Info, Subject: cms, Evidence: []string{
				"container directus", "startupProbe missing"}},
		}},
		{name: "B liveness on health", files: []string{"k20-liveness-health.yaml"},
			want: []expect{{ID: "DX15", Severity: Warning, Subject: cms, Evidence: []string{
				"container directus", "livenessProbe httpGet path /server/health port http"}}}},
		{name: "C readiness on health untuned", files: []string{"k20-readiness-health.yaml"},
			want: []expect{{ID: "DX15", Severity: Warning, Subject: cms, Evidence: []string{
				"container directus", "readinessProbe httpGet path /server/health port http",
				"HEALTHCHECK_SERVICES unset",
				"EMAIL_TRANSPORT unset and EMAIL_VERIFY_SETUP not false"}}}},
		{name: "D no readiness probe", files: []string{"k20-no-readiness.yaml"},
			want: []expect{{ID: "DX15", Severity: Warning, Subject: cms, Evidence: []string{
				"container directus", "readinessProbe missing"}}}},
		{name: "pass: baseline on ping", not: noProbeFinding},
		{name: "pass 2: health limited to database and redis",
			files: []string{"k20-pass-health.yaml"}, not: noProbeFinding},
	})
}

func TestK12AutoscalingIntendedButNoHPA(t *testing.T) {
	runCases(t, []fixtureCase{
		{name: "main: Helm chart left replicas out", files: []string{"k12-main.yaml"},
			want: []expect{{ID: "HPA-CFG-001", Severity: Error, Subject: cms, Evidence: []string{
				"Deployment cms: spec.replicas 1", "no HPA in namespace shop targets Deployment cms",
				"Helm release cms", "chart directus-2.0.2", "the chart did not render spec.replicas",
				"no field manager owns spec.replicas",
				"autoscaling versions served: v1, v2; not served: v2beta1, v2beta2"}}}},
		{name: "B plain manifests, one replica", files: []string{"k12-plain.yaml"},
			want: []expect{{ID: "HPA-CFG-001", Severity: Warning, Subject: cms, Evidence: []string{
				"Deployment cms: spec.replicas 1", "no HPA in namespace shop targets Deployment cms",
				"autoscaling versions served: v1, v2"}}},
			not: []absent{{ID: "HPA-CFG-001", Severity: Error}}},
		{name: "HPA deleted after scaling", files: []string{"k12-hpa-deleted.yaml"},
			want: []expect{{ID: "HPA-CFG-001", Severity: Info, Subject: cms, Evidence: []string{
				"spec.replicas 3", "no field manager owns spec.replicas"}}},
			not: []absent{{ID: "HPA-CFG-001", Severity: Warning}}},
		{name: "fixed replicas on purpose", files: []string{"k12-fixed.yaml"},
			want: []expect{{ID: "HPA-CFG-001", Severity: Info, Subject: cms,
				Evidence: []string{"spec.replicas set by kubectl-client-side-apply"}}},
			not: []absent{{ID: "HPA-CFG-001", Severity: Warning}}},
		{name: "the HPA names a missing target", files: []string{"k12-dangling.yaml"},
			want: []expect{{ID: "HPA-CFG-001", Severity: Info, Subject: cms, Evidence: []string{
				"HPA cms targets Deployment cms-old, which does not exist"}}},
			not: []absent{{ID: "HPA-CFG-001", Severity: Warning}}},
		{name: "pass: baseline has an HPA", not: []absent{{ID: "HPA-CFG-001", Severity: Info}}},
	})
}

func TestK12UsesNoHPAWhenScopedToOne(t *testing.T) {
	snap := loadFixture(t, "k12-plain.yaml")
	snap.Scope.HPAName = "cms"

	report := runChecks(snap)

	assertFindings(t, report, nil, []absent{{ID: "HPA-CFG-001", Severity: Info}})
}

// TestRegistryJudgesEachSnapshotAfresh runs one registry over two snapshots: the view built
// for the first must not leak into the second.
func TestRegistryJudgesEachSnapshotAfresh(t *testing.T) {
	reg := NewRegistry(append(practiceChecks(), directusChecks()...)...)
	cc := CheckContext{Now: fixtureNow}

	broken := reg.Run(cc, loadFixture(t, "k18-main.yaml"))
	healthy := reg.Run(cc, loadFixture(t))

	assertFindings(t, broken, []expect{{ID: "DX06", Severity: Error, Subject: cms}}, nil)
	assertFindings(t, healthy, nil, []absent{{ID: "DX06", Severity: Info}})
}
