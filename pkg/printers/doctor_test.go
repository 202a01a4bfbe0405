package printers

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubectl-directus/kubectl-directus/pkg/diagnose"
)

func sampleDoctorReport() *diagnose.Report {
	cms := &diagnose.Subject{Kind: diagnose.KindHPA, Namespace: "shop", Name: "cms"}
	return &diagnose.Report{
		Summary: diagnose.Summary{Status: diagnose.Error,
			Counts: diagnose.Counts{Error: 1, Warning: 1, Passed: 2}, HPAs: 1},
		Findings: []diagnose.Finding{
			{ID: "HPA-MET-006", Severity: diagnose.Warning,
				Subject:     diagnose.Subject{Kind: "APIService", Name: "v1beta1.metrics.k8s.io"},
				Message:     "metrics.k8s.io is served by monitoring/prometheus-adapter while another provider is installed",
				Evidence:    []string{"APIService v1beta1.metrics.k8s.io -> Service monitoring/prometheus-adapter"},
				Remediation: "keep one provider"},
			{ID: "HPA-REQ-001", Severity: diagnose.Error, Subject: *cms, HPAs: []string{"shop/cms"},
				Message: "utilization cannot be computed: the pod template of Deployment cms has no cpu request in directus",
				Evidence: []string{"Deployment shop/cms pod template, container directus: no request for cpu",
					"metrics that need them: cpu 70% utilization"},
				Remediation: "add resources.requests for cpu to directus in the pod template"},
		},
		Checked: []diagnose.CheckResult{
			{ID: "HPA-MET-001", Area: diagnose.AreaPipeline, Title: "resource metrics API is available",
				Result: diagnose.ResultPassed},
			{ID: "HPA-REQ-001", Area: diagnose.AreaRequests, Title: "every container has a request",
				Subject: cms, Result: diagnose.ResultFound, Severity: diagnose.Error},
			{ID: "HPA-TGT-001", Area: diagnose.AreaTarget, Title: "scaleTargetRef exists",
				Subject: cms, Result: diagnose.ResultPassed},
			{ID: "HPA-STA-001", Area: diagnose.AreaStatus, Title: "ScalingActive", Subject: cms,
				Result: diagnose.ResultExplained, ExplainedBy: "HPA-REQ-001"},
		},
		CouldNotCheck: []diagnose.NotChecked{{ID: "HPA-FLP-001", Title: "no flapping",
			Subject: cms, Reason: "missing permission: list events in namespace shop"}},
	}
}

func renderDoctor(t *testing.T, report *diagnose.Report, opts DoctorOptions) string {
	t.Helper()
	var out bytes.Buffer
	require.NoError(t, PrintDoctor(&out, report, opts))
	return out.String()
}

func TestDoctorTable(t *testing.T) {
	want := `Cluster
  WARN  HPA-MET-006 APIService v1beta1.metrics.k8s.io
      metrics.k8s.io is served by monitoring/prometheus-adapter while another provider is installed
      - APIService v1beta1.metrics.k8s.io -> Service monitoring/prometheus-adapter
      fix: keep one provider

HPA shop/cms
  ERROR HPA-REQ-001 HorizontalPodAutoscaler shop/cms
      utilization cannot be computed: the pod template of Deployment cms has no cpu request in
      directus
      - Deployment shop/cms pod template, container directus: no request for cpu
      - metrics that need them: cpu 70% utilization
      fix: add resources.requests for cpu to directus in the pod template
  NOT CHECKED HPA-FLP-001 no flapping: missing permission: list events in namespace shop

Status: ERROR (incomplete). 1 error, 1 warning, 0 info; 2 checks passed, 1 could not be checked; 1 HPA judged.
`
	assert.Equal(t, want, renderDoctor(t, sampleDoctorReport(), DoctorOptions{}))
}

func TestDoctorTableShowPassed(t *testing.T) {
	want := `Cluster
  WARN  HPA-MET-006 APIService v1beta1.metrics.k8s.io
      metrics.k8s.io is served by monitoring/prometheus-adapter while another provider is installed
      - APIService v1beta1.metrics.k8s.io -> Service monitoring/prometheus-adapter
      fix: keep one provider
  OK    HPA-MET-001 resource metrics API is available

HPA shop/cms
  ERROR HPA-REQ-001 HorizontalPodAutoscaler shop/cms
      utilization cannot be computed: the pod template of Deployment cms has no cpu request in
      directus
      - Deployment shop/cms pod template, container directus: no request for cpu
      - metrics that need them: cpu 70% utilization
      fix: add resources.requests for cpu to directus in the pod template
  OK    HPA-TGT-001 scaleTargetRef exists
  OK    HPA-STA-001 ScalingActive (not run: explained by HPA-REQ-001)
  NOT CHECKED HPA-FLP-001 no flapping: missing permission: list events in namespace shop

Status: ERROR (incomplete). 1 error, 1 warning, 0 info; 2 checks passed, 1 could not be checked; 1 HPA judged.
`
	assert.Equal(t, want, renderDoctor(t, sampleDoctorReport(), DoctorOptions{ShowPassed: true}))
}

func TestDoctorTableFitsNarrowWidth(t *testing.T) {
	out := renderDoctor(t, sampleDoctorReport(), DoctorOptions{Width: 60})

	for _, line := range bytes.Split([]byte(out), []byte("\n")) {
		if !bytes.Contains(line, []byte("Status:")) && !bytes.Contains(line, []byte("prometheus-adapter")) {
			assert.LessOrEqual(t, len(line), 60, "%q", line)
		}
	}
}

func TestDoctorJSON(t *testing.T) {
	report := sampleDoctorReport()
	report.Checked = report.Checked[:1]
	report.Findings = report.Findings[1:]
	want := `{
  "summary": {
    "status": "error",
    "counts": {
      "error": 1,
      "warning": 1,
      "info": 0,
      "passed": 2
    },
    "hpas": 1
  },
  "findings": [
    {
      "id": "HPA-REQ-001",
      "severity": "error",
      "subject": {
        "kind": "HorizontalPodAutoscaler",
        "namespace": "shop",
        "name": "cms"
      },
      "message": "utilization cannot be computed: the pod template of Deployment cms has no cpu request in directus",
      "evidence": [
        "Deployment shop/cms pod template, container directus: no request for cpu",
        "metrics that need them: cpu 70% utilization"
      ],
      "remediation": "add resources.requests for cpu to directus in the pod template",
      "hpas": [
        "shop/cms"
      ]
    }
  ],
  "checked": [
    {
      "id": "HPA-MET-001",
      "area": "metrics pipeline",
      "title": "resource metrics API is available",
      "result": "passed",
      "severity": "ok"
    }
  ],
  "couldNotCheck": [
    {
      "id": "HPA-FLP-001",
      "title": "no flapping",
      "subject": {
        "kind": "HorizontalPodAutoscaler",
        "namespace": "shop",
        "name": "cms"
      },
      "reason": "missing permission: list events in namespace shop"
    }
  ]
}
`
	assert.Equal(t, want, renderDoctor(t, report, DoctorOptions{Format: "json"}))
}

func TestDoctorYAML(t *testing.T) {
	report := sampleDoctorReport()
	report.Checked = report.Checked[:1]
	report.Findings = report.Findings[:1]
	report.CouldNotCheck = []diagnose.NotChecked{}
	want := `checked:
- area: metrics pipeline
  id: HPA-MET-001
  result: passed
  severity: ok
  title: resource metrics API is available
couldNotCheck: []
findings:
- evidence:
  - APIService v1beta1.metrics.k8s.io -> Service monitoring/prometheus-adapter
  id: HPA-MET-006
  message: metrics.k8s.io is served by monitoring/prometheus-adapter while another
    provider is installed
  remediation: keep one provider
  severity: warning
  subject:
    kind: APIService
    name: v1beta1.metrics.k8s.io
summary:
  counts:
    error: 1
    info: 0
    passed: 2
    warning: 1
  hpas: 1
  status: error
`
	assert.Equal(t, want, renderDoctor(t, report, DoctorOptions{Format: "yaml"}))
}

func TestDoctorUnknownFormat(t *testing.T) {
	err := PrintDoctor(&bytes.Buffer{}, sampleDoctorReport(), DoctorOptions{Format: "xml"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "table, json, yaml")
}
