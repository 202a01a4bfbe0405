package diagnose

import "testing"

const hpaCms = "HorizontalPodAutoscaler/shop/cms"

func TestPracticeReplicaBounds(t *testing.T) {
	runCases(t, []fixtureCase{
		{name: "minReplicas 1", files: []string{"practice-min1.yaml"}, want: []expect{
			{ID: "HPA-CFG-002", Severity: Warning, Subject: hpaCms,
				Evidence: []string{"minReplicas 1, maxReplicas 10"}},
			{ID: "HPA-CFG-009", Severity: Warning, Subject: cms,
				Evidence: []string{"PDB cms: minAvailable 1", "HPA cms minReplicas 1"}},
		}},
		{name: "max equals min", files: []string{"practice-max-eq-min.yaml"}, want: []expect{
			{ID: "HPA-CFG-003", Severity: Warning, Subject: hpaCms,
				Evidence: []string{"minReplicas 2, maxReplicas 2"}}}},
		{name: "pass: baseline", not: []absent{{ID: "HPA-CFG-002", Severity: Info},
			{ID: "HPA-CFG-003", Severity: Info}}},
	})
}

func TestPracticeTargets(t *testing.T) {
	runCases(t, []fixtureCase{
		{name: "targets beyond the requests", files: []string{"practice-target-high.yaml"},
			want: []expect{
				{ID: "HPA-CFG-004", Severity: Warning, Subject: hpaCms, Evidence: []string{
					"cpu target averageUtilization 95%", "scale-up from 105% of the request",
					"tolerance 0.1 (controller default, assumed)"}},
				{ID: "HPA-CFG-004", Severity: Warning, Subject: hpaCms, Evidence: []string{
					"memory target averageValue 600Mi per pod = 117% of the pod's request 512Mi",
					"scale-up from 129% of the request"}},
			}},
		{name: "pass: baseline 70 and 80", not: []absent{{ID: "HPA-CFG-004", Severity: Info}}},
	})
}

func TestPracticeBehavior(t *testing.T) {
	runCases(t, []fixtureCase{
		{name: "no behavior", files: []string{"practice-behavior-none.yaml"}, want: []expect{
			{ID: "HPA-CFG-005", Severity: Info, Subject: hpaCms,
				Evidence: []string{"spec.behavior unset"}}},
			not: []absent{{ID: "HPA-CFG-005", Severity: Warning}}},
		{name: "scale-up disabled, short down window",
			files: []string{"practice-behavior-bad.yaml"}, want: []expect{
				{ID: "HPA-CFG-005", Severity: Warning, Subject: hpaCms,
					Evidence: []string{"behavior.scaleUp.selectPolicy Disabled"}},
				{ID: "HPA-CFG-005", Severity: Info, Subject: hpaCms,
					Evidence: []string{"behavior.scaleDown.stabilizationWindowSeconds 30"}}}},
		{name: "baseline: default scale-down policy is abrupt", want: []expect{
			{ID: "HPA-CFG-005", Severity: Info, Subject: hpaCms, Evidence: []string{
				"behavior.scaleDown.policies unset (API default Percent 100 per 15 s)"}}},
			not: []absent{{ID: "HPA-CFG-005", Severity: Warning}}},
		{name: "pass: selectPolicy Min picks the gradual policy",
			files: []string{"practice-behavior-min.yaml"},
			not:   []absent{{ID: "HPA-CFG-005", Severity: Info}}},
		{name: "pass: product behavior", files: []string{"practice-behavior-product.yaml"},
			not: []absent{{ID: "HPA-CFG-005", Severity: Info}}},
	})
}

func TestPracticeResources(t *testing.T) {
	runCases(t, []fixtureCase{
		{name: "cpu limit below the threshold", files: []string{"practice-limits.yaml"},
			want: []expect{{ID: "HPA-CFG-006", Severity: Error, Subject: cms, Evidence: []string{
				"pod cpu requests 250m, limits 250m", "HPA cms: cpu target 95%"}}}},
		{name: "no memory request, memory not a metric", files: []string{"practice-cpu-only.yaml"},
			want: []expect{{ID: "HPA-CFG-006", Severity: Warning, Subject: cms,
				Evidence: []string{"container directus: requests"}}}},
		{name: "pass: limits equal to requests under the product targets",
			files: []string{"practice-limits-sane.yaml"},
			not:   []absent{{ID: "HPA-CFG-006", Severity: Info}}},
		{name: "pass: baseline", not: []absent{{ID: "HPA-CFG-006", Severity: Info}}},
	})
}

func TestPracticeProbesAndShutdown(t *testing.T) {
	runCases(t, []fixtureCase{
		{name: "second container without probes, pause as long as the grace period",
			files: []string{"practice-proxy.yaml"}, want: []expect{
				{ID: "HPA-CFG-007", Severity: Warning, Subject: cms,
					Evidence: []string{"container proxy: readinessProbe missing"}},
				{ID: "HPA-CFG-007", Severity: Info, Subject: cms,
					Evidence: []string{"container proxy: livenessProbe missing"}},
				{ID: "HPA-CFG-008", Severity: Warning, Subject: cms, Evidence: []string{
					"container proxy: preStop pause 30 s, terminationGracePeriodSeconds 30"}}},
			not: []absent{{ID: "DX15", Severity: Info}}},
		{name: "second container without preStop",
			files: []string{"practice-proxy.yaml", "practice-proxy-nohook.yaml"},
			want: []expect{{ID: "HPA-CFG-008", Severity: Info, Subject: cms,
				Evidence: []string{"container proxy: no lifecycle.preStop"}}}},
		{name: "Directus container is left to DX15 and DX16", files: []string{"k20-no-readiness.yaml"},
			not: []absent{{ID: "HPA-CFG-007", Severity: Info}, {ID: "HPA-CFG-008", Severity: Info}}},
	})
}

func TestPracticeDisruptionBudget(t *testing.T) {
	runCases(t, []fixtureCase{
		{name: "none", files: []string{"practice-pdb-none.yaml"}, want: []expect{
			{ID: "HPA-CFG-009", Severity: Warning, Subject: cms,
				Evidence: []string{"no PDB in shop selects them"}}}},
		{name: "minAvailable equals minReplicas", files: []string{"practice-pdb-min2.yaml"},
			want: []expect{{ID: "HPA-CFG-009", Severity: Warning, Subject: cms,
				Evidence: []string{"PDB cms: minAvailable 2", "HPA cms minReplicas 2"}}}},
		{name: "maxUnavailable 0", files: []string{"practice-pdb-max0.yaml"},
			want: []expect{{ID: "HPA-CFG-009", Severity: Warning, Subject: cms,
				Evidence: []string{"PDB cms: maxUnavailable 0"}}}},
		{name: "two budgets", files: []string{"practice-pdb-two.yaml"},
			want: []expect{{ID: "HPA-CFG-009", Severity: Warning, Subject: cms,
				Evidence: []string{"PDBs cms, cms-extra"}}}},
		{name: "pass: 50% rounds up to one pod kept", files: []string{"practice-pdb-percent.yaml"},
			not: []absent{{ID: "HPA-CFG-009", Severity: Info}}},
		{name: "pass: baseline", not: []absent{{ID: "HPA-CFG-009", Severity: Info}}},
	})
}

func TestPracticeCapacity(t *testing.T) {
	runCases(t, []fixtureCase{
		{name: "small nodes", files: []string{"practice-capacity-small.yaml"}, want: []expect{
			{ID: "HPA-CFG-010", Severity: Warning, Subject: hpaCms, Evidence: []string{
				"one pod requests cpu 250m, memory 512Mi", "2 of 3 nodes can run the pods",
				"2 pods running, room for 2 more; maxReplicas 10",
				"requests of pods in namespace shop only"}}},
			not: []absent{{ID: "HPA-CFG-010", Severity: Error}}},
		{name: "a pod bigger than any node", files: []string{"practice-capacity-huge.yaml"},
			want: []expect{{ID: "HPA-CFG-010", Severity: Error, Subject: hpaCms,
				Evidence: []string{"one pod requests cpu 8, memory 512Mi"}}}},
		{name: "pass: baseline", not: []absent{{ID: "HPA-CFG-010", Severity: Info}}},
	})
}
