package diagnose

import "testing"

func TestDirectusDatabaseAndRedis(t *testing.T) {
	runCases(t, []fixtureCase{
		{name: "DX01 sqlite", files: []string{"dx01-sqlite.yaml"}, want: []expect{
			{ID: "DX01", Severity: Error, Subject: cms,
				Evidence: []string{"DB_CLIENT unset (image default sqlite3)"}}}},
		{name: "DX02 Redis switched off", files: []string{"dx02-redis-off.yaml"}, want: []expect{
			{ID: "DX02", Severity: Error, Subject: cms,
				Evidence: []string{"REDIS_ENABLED=false (env value)"}}}},
		{name: "DX24 default pool", files: []string{"dx24-default-pool.yaml"}, want: []expect{
			{ID: "DX24", Severity: Warning, Subject: cms, Evidence: []string{
				"peak = (maxReplicas 10 + maxSurge 1) x PM2_INSTANCES 1 x DB_POOL__MAX 10 = 110",
				"max_connections 100 (PostgreSQL default; StatefulSet pg does not set it)"}}}},
		{name: "DX24 pass: max_connections 200",
			files: []string{"dx24-default-pool.yaml", "dx24-max-connections.yaml"},
			not:   []absent{{ID: "DX24", Severity: Info}}},
		{name: "DX31 two projects on one Redis", files: []string{"dx31-second-project.yaml"},
			want: []expect{
				{ID: "DX31", Severity: Warning, Subject: cms, Evidence: []string{
					"Redis shop/kv:6379 db 0, CACHE_NAMESPACE unset",
					"shared with Deployment shop/blog (database shop/pg:5432/blog)"}},
				{ID: "DX31", Severity: Warning, Subject: "Deployment/shop/blog"}}},
		{name: "DX31 pass: own namespaces",
			files: []string{"dx31-second-project.yaml", "dx31-own-namespace.yaml"},
			not:   []absent{{ID: "DX31", Severity: Info}}},
	})
}

func TestDirectusStorage(t *testing.T) {
	runCases(t, []fixtureCase{
		{name: "default local storage", files: []string{"dx07-default.yaml"}, want: []expect{
			{ID: "DX07", Severity: Error, Subject: cms, Evidence: []string{
				"replicas 2-10 (HPA cms)", "STORAGE_LOCAL_DRIVER=local, root /directus/uploads"}}}},
		{name: "emptyDir", files: []string{"dx07-default.yaml", "dx07-emptydir.yaml"},
			want: []expect{{ID: "DX07", Severity: Error, Subject: cms}}},
		{name: "claim of unknown access mode",
			files: []string{"dx07-default.yaml", "dx07-pvc.yaml"},
			want:  []expect{{ID: "DX07", Severity: Info, Subject: cms}},
			not:   []absent{{ID: "DX07", Severity: Warning}}},
		{name: "pass: NFS", files: []string{"dx07-default.yaml", "dx07-nfs.yaml"},
			not: []absent{{ID: "DX07", Severity: Info}}},
		{name: "pass: single replica", files: []string{"dx07-default.yaml", "k19-single.yaml"},
			not: []absent{{ID: "DX07", Severity: Info}}},
	})
}

func TestDirectusBootstrapAndCommand(t *testing.T) {
	runCases(t, []fixtureCase{
		{name: "image CMD", files: []string{"dx09-image-cmd.yaml"}, want: []expect{
			{ID: "DX09", Severity: Warning, Subject: cms,
				Evidence: []string{"container directus has no command"}},
			{ID: "DX17", Severity: Warning, Subject: cms,
				Evidence: []string{"no command: the image's shell-form CMD runs"}}}},
		{name: "failed Job", files: []string{"dx09-failed-job.yaml"}, want: []expect{
			{ID: "DX09", Severity: Error, Subject: cms,
				Evidence: []string{"failed Job cms-bootstrap-5f1e2a"}}}},
		{name: "no Job", files: []string{"dx09-no-job.yaml"}, want: []expect{
			{ID: "DX09", Severity: Warning, Subject: cms, Evidence: []string{
				"no Complete Job in shop runs bootstrap with image directus/directus:11.12.0"}}}},
		{name: "pass: Job recorded on the Deployment",
			files: []string{"dx09-no-job.yaml", "dx09-recorded.yaml"},
			not:   []absent{{ID: "DX09", Severity: Info}}},
		{name: "shell command", files: []string{"dx17-shell.yaml"}, want: []expect{
			{ID: "DX17", Severity: Warning, Subject: cms,
				Evidence: []string{`command "/bin/sh -c node /directus/cli.js start" starts a shell`}}}},
	})
}

func TestDirectusReplicasAndHPA(t *testing.T) {
	runCases(t, []fixtureCase{
		{name: "DX11 applier owns replicas", files: []string{"dx11-last-applied.yaml"},
			want: []expect{{ID: "DX11", Severity: Warning, Subject: cms, Evidence: []string{
				"spec.replicas owned by field manager argocd-controller",
				"kubectl.kubernetes.io/last-applied-configuration holds spec.replicas 2"}}}},
		{name: "DX11 pass: only the HPA", files: []string{"dx11-hpa-only.yaml"},
			not: []absent{{ID: "DX11", Severity: Info}}},
		{name: "DX11 pass: kubectl scale", files: []string{"dx11-kubectl-scale.yaml"},
			not: []absent{{ID: "DX11", Severity: Info}}},
		{name: "DX13 product spec", files: []string{"practice-behavior-product.yaml"},
			not: []absent{{ID: "DX13", Severity: Info}}},
		{name: "DX13 baseline drift", want: []expect{{ID: "DX13", Severity: Info, Subject: hpaCms,
			Evidence: []string{"behavior.scaleUp.stabilizationWindowSeconds 0 (product 300)"}}}},
		{name: "DX14 memory holds replicas", files: []string{"dx14-memory.yaml"},
			want: []expect{{ID: "DX14", Severity: Warning, Subject: cms, Evidence: []string{
				"memory at 75% of requests, target 80%; a scale-down needs below 72%",
				"cpu at 20%, target 70%"}}}},
		{name: "DX14 pass: baseline", not: []absent{{ID: "DX14", Severity: Info}}},
		{name: "DX14 leaves an HPA held at max to the status checks",
			files: []string{"dx14-memory.yaml", "dx14-at-max.yaml"},
			not:   []absent{{ID: "DX14", Severity: Info}}},
	})
}

func TestDirectusShutdown(t *testing.T) {
	runCases(t, []fixtureCase{
		{name: "short grace under pm2", files: []string{"dx16-short-grace.yaml"}, want: []expect{
			{ID: "DX16", Severity: Warning, Subject: cms, Evidence: []string{
				"terminationGracePeriodSeconds 10 < preStop 10 s + SERVER_SHUTDOWN_TIMEOUT 20000 ms + 5 s"}},
			{ID: "DX16", Severity: Warning, Subject: cms, Evidence: []string{
				"PM2_KILL_TIMEOUT 1600 ms < SERVER_SHUTDOWN_TIMEOUT 20000 ms"}}}},
		{name: "baseline: no preStop", want: []expect{{ID: "DX16", Severity: Info, Subject: cms,
			Evidence: []string{"container directus: no lifecycle.preStop"}}},
			not: []absent{{ID: "DX16", Severity: Warning}}},
		{name: "pass: product shutdown", files: []string{"dx16-good.yaml"},
			not: []absent{{ID: "DX16", Severity: Info}}},
	})
}

func TestDirectusPodSpec(t *testing.T) {
	runCases(t, []fixtureCase{
		{name: "DX18 runAsNonRoot by name", files: []string{"dx18-nonroot.yaml"}, want: []expect{
			{ID: "DX18", Severity: Error, Subject: cms,
				Evidence: []string{"runAsNonRoot true, runAsUser unset"}}}},
		{name: "DX18 pass: restricted", files: []string{"dx18-restricted.yaml"},
			not: []absent{{ID: "DX18", Severity: Info}}},
		{name: "DX19 Service named redis", files: []string{"dx19-redis-service.yaml"},
			want: []expect{{ID: "DX19", Severity: Warning, Subject: cms, Evidence: []string{
				"Service redis injects REDIS_SERVICE_HOST, REDIS_PORT=tcp://"}}}},
		{name: "DX19 pass: links off",
			files: []string{"dx19-redis-service.yaml", "dx19-links-off.yaml"},
			not:   []absent{{ID: "DX19", Severity: Info}}},
		{name: "DX26 version in selector", files: []string{"dx26-version-selector.yaml"},
			want: []expect{{ID: "DX26", Severity: Warning, Subject: cms, Evidence: []string{
				"spec.selector.matchLabels app.kubernetes.io/version=11.12.0"}}}},
		{name: "DX29 zone spread with an unlabelled node", files: []string{"dx29-zone.yaml"},
			want: []expect{{ID: "DX29", Severity: Info, Subject: cms,
				Evidence: []string{"nodes without the label: node-c"}}}},
	})
}

func TestDirectusSettings(t *testing.T) {
	runCases(t, []fixtureCase{
		{name: "DX20 literals", files: []string{"dx20-literals.yaml"}, want: []expect{
			{ID: "DX20", Severity: Warning, Subject: cms, Evidence: []string{
				"DB_PASSWORD in plain text (env value; value not shown)",
				"REDIS holds a password in its URL (env value)"}}}},
		{name: "DX21 relative PUBLIC_URL", files: []string{"dx21-relative.yaml"}, want: []expect{
			{ID: "DX21", Severity: Warning, Subject: cms, Evidence: []string{"PUBLIC_URL=/"}}}},
		{name: "DX22 Directus 12 behind a proxy", files: []string{"dx22-v12.yaml"}, want: []expect{
			{ID: "DX22", Severity: Info, Subject: cms,
				Evidence: []string{"IP_TRUST_PROXY unset (12.x default false)"}},
			{ID: "DX22", Severity: Info, Subject: cms, Evidence: []string{"CORS_ORIGIN unset"}}},
			not: []absent{{ID: "DX23", Severity: Info}}},
		{name: "DX23 latest", files: []string{"dx23-latest.yaml"}, want: []expect{
			{ID: "DX23", Severity: Warning, Subject: cms,
				Evidence: []string{"image directus/directus:latest"}}}},
		{name: "DX23 major 11", want: []expect{{ID: "DX23", Severity: Info, Subject: cms}}},
		{name: "DX25 PGDATA at the volume root", files: []string{"dx25-pgdata-root.yaml"},
			want: []expect{{ID: "DX25", Severity: Warning, Subject: "StatefulSet/shop/pg",
				Evidence: []string{"volume mounted at /var/lib/postgresql/data; PGDATA unset"}}}},
		{name: "DX25 PostgreSQL 18", files: []string{"dx25-pg18.yaml"},
			want: []expect{{ID: "DX25", Severity: Warning, Subject: "StatefulSet/shop/pg"}}},
		{name: "DX25 pass: baseline", not: []absent{{ID: "DX25", Severity: Info}}},
		{name: "DX32 DX33 pm2 and KEY", files: []string{"dx32-pm2.yaml"}, want: []expect{
			{ID: "DX32", Severity: Info, Subject: cms, Evidence: []string{"PM2_INSTANCES=4"}},
			{ID: "DX33", Severity: Info, Subject: cms, Evidence: []string{"KEY from env value"}}}},
		{name: "DX34 Bitnami database", files: []string{"dx34-bitnami.yaml"}, want: []expect{
			{ID: "DX34", Severity: Info, Subject: cms, Evidence: []string{
				"StatefulSet pg: bitnamilegacy/postgresql:17.5.0"}}}},
	})
}

func TestDX20NeverPrintsValues(t *testing.T) {
	report := runChecks(loadFixture(t, "dx20-literals.yaml"))

	for _, f := range report.Findings {
		for _, text := range append([]string{f.Message, f.Remediation}, f.Evidence...) {
			if containsFold(text, "hunter2") || containsFold(text, "s3cret") {
				t.Errorf("%s prints a credential: %q", f.ID, text)
			}
		}
	}
}
