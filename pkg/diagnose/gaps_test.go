package diagnose

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	k8stesting "k8s.io/client-go/testing"
)

func forbid(w *world, verb, resource string) {
	w.reactors = append(w.reactors, reactor{verb: verb, resource: resource,
		fn: func(k8stesting.Action) (bool, runtime.Object, error) {
			return true, nil, apierrors.NewForbidden(schema.GroupResource{Resource: resource}, "",
				errors.New("RBAC"))
		}})
}

// notChecked returns the reasons given for the checks that could not run, by check ID.
func notChecked(report *Report) map[string]string {
	out := map[string]string{}
	for _, n := range report.CouldNotCheck {
		out[n.ID] = n.Reason
	}
	return out
}

func TestForbiddenEventsLeaveOtherChecksRunning(t *testing.T) {
	w := baseline()
	forbid(w, "list", "events")

	report := w.report(t)

	skipped := notChecked(report)
	assert.Equal(t, "missing permission: list events in namespace shop", skipped[idFlapping])
	assert.Contains(t, skipped, idWarningEvents)
	assert.NotContains(t, skipped, idRequestsTemplate)
	assertOnlyProblems(t, report)
	assert.False(t, report.HasErrors())
}

func TestForbiddenPodsStillJudgesTheTemplate(t *testing.T) {
	w := baseline()
	setResources(t, w, requests("", ""))
	forbid(w, "list", "pods")

	report := w.report(t)

	skipped := notChecked(report)
	assert.Equal(t, "missing permission: list pods in namespace shop", skipped[idRequestsInjected])
	assert.Contains(t, skipped, idPodMetrics)
	assert.Contains(t, skipped, idForeignPods)
	f := requireFinding(t, report, idRequestsTemplate)
	assertEvidence(t, f, "container directus: no request for cpu, memory")
	assertNoEvidence(t, f, "targeted pods")
}

func TestForbiddenAPIServicesStillJudgesTheHPA(t *testing.T) {
	w := baseline()
	w.apiServicesErr = apierrors.NewForbidden(schema.GroupResource{
		Group: "apiregistration.k8s.io", Resource: "apiservices"}, "", errors.New("RBAC"))
	setResources(t, w, requests("250m", ""))

	report := w.report(t)

	skipped := notChecked(report)
	assert.Equal(t, "missing permission: list apiservices.apiregistration.k8s.io cluster-wide",
		skipped[idResourceAPI])
	assert.Equal(t, Error, requireFinding(t, report, idRequestsTemplate).Severity)
}
