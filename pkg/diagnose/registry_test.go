package diagnose

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
)

func TestDefaultRegistryIsValid(t *testing.T) {
	require.NoError(t, DefaultRegistry().Validate())
}

func TestValidateRejectsBadRegistrations(t *testing.T) {
	run := func(CheckContext, *snapshot.Snapshot) []Finding { return nil }
	r := NewRegistry(
		Check{ID: "A", Area: AreaPipeline, Title: "a", Run: run, ExplainedBy: []string{"B"}},
		Check{ID: "B", Area: AreaPipeline, Title: "b", Run: run},
		Check{ID: "B", Area: AreaPipeline, Title: "b again", Run: run},
		Check{ID: "C", Title: "no area"},
	)

	err := r.Validate()

	require.Error(t, err)
	assert.Contains(t, err.Error(), `check "A": cause "B" is not registered before it`)
	assert.Contains(t, err.Error(), `check "B": empty or duplicate ID`)
	assert.Contains(t, err.Error(), `check "C": missing title or area`)
	assert.Contains(t, err.Error(), `check "C": set exactly one of Run and RunHPA`)
}

func hpaNamed(ns, name string) autoscalingv2.HorizontalPodAutoscaler {
	return autoscalingv2.HorizontalPodAutoscaler{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
}

func TestRunMarksExplainedAndUncheckable(t *testing.T) {
	snap := &snapshot.Snapshot{
		HPAs: []autoscalingv2.HorizontalPodAutoscaler{hpaNamed("shop", "b"), hpaNamed("shop", "a")},
		Gaps: []snapshot.Gap{{Verb: "list", Resource: snapshot.ResEvents, Namespace: "shop",
			Forbidden: true, Err: errors.New("forbidden")}},
	}
	cause := Check{ID: "CAUSE", Area: AreaTarget, Title: "cause",
		RunHPA: func(_ CheckContext, _ *snapshot.Snapshot, h *autoscalingv2.HorizontalPodAutoscaler) []Finding {
			if h.Name == "a" {
				return []Finding{{Severity: Error, Subject: Subject{Kind: KindHPA, Name: "a"}}}
			}
			return nil
		}}
	symptom := Check{ID: "SYMPTOM", Area: AreaStatus, Title: "symptom", ExplainedBy: []string{"CAUSE"},
		RunHPA: func(CheckContext, *snapshot.Snapshot, *autoscalingv2.HorizontalPodAutoscaler) []Finding {
			return []Finding{{ID: "SYMPTOM-2", Severity: Warning}}
		}}
	events := Check{ID: "EVENTS", Area: AreaStatus, Title: "events", Needs: []string{snapshot.ResEvents},
		RunHPA: func(CheckContext, *snapshot.Snapshot, *autoscalingv2.HorizontalPodAutoscaler) []Finding {
			t.Fatal("a check whose input is missing must not run")
			return nil
		}}

	report := NewRegistry(cause, symptom, events).Run(CheckContext{Now: time.Now()}, snap)

	assert.Equal(t, []string{"CAUSE", "SYMPTOM-2"}, findingIDs(report.Findings))
	assert.Equal(t, Error, report.Summary.Status)
	assert.Equal(t, Counts{Error: 1, Warning: 1, Passed: 1}, report.Summary.Counts)
	assert.Equal(t, 2, report.Summary.HPAs)
	require.Len(t, report.Checked, 4)
	assert.Equal(t, CheckResult{ID: "SYMPTOM", Area: AreaStatus, Title: "symptom",
		Subject: &Subject{Kind: KindHPA, Namespace: "shop", Name: "a"}, Result: ResultExplained,
		ExplainedBy: "CAUSE"}, report.Checked[1])
	assert.Equal(t, "b", report.Checked[3].Subject.Name)
	assert.Equal(t, ResultFound, report.Checked[3].Result)
	require.Len(t, report.CouldNotCheck, 2)
	assert.Equal(t, "missing permission: list events in namespace shop",
		report.CouldNotCheck[0].Reason)
	assert.True(t, report.HasErrors())
	assert.Len(t, report.AtLeast(Error).Findings, 1)
}

func findingIDs(findings []Finding) []string {
	var ids []string
	for _, f := range findings {
		ids = append(ids, f.ID)
	}
	return ids
}
