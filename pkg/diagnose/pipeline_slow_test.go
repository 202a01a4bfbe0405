package diagnose

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// slowBackend is what the pod metrics list returns when --request-timeout runs out first.
type slowBackend struct{}

func (slowBackend) Error() string {
	return `Get "https://127.0.0.1:6443/apis/metrics.k8s.io/v1beta1/namespaces/shop/pods": ` +
		`context deadline exceeded (Client.Timeout exceeded while awaiting headers)`
}
func (slowBackend) Timeout() bool { return true }
func (slowBackend) Unwrap() error { return context.DeadlineExceeded }

func TestMetricsAPIMarkedAvailableButTooSlow(t *testing.T) {
	for name, err := range map[string]error{
		"client timeout": slowBackend{},
		"aggregator 503": apierrors.NewServiceUnavailable("the server is currently unable to " +
			"handle the request (get pods.metrics.k8s.io)"),
	} {
		t.Run(name, func(t *testing.T) {
			w := baseline()
			w.metricsErr = err

			report := w.report(t)

			f := requireFinding(t, report, "HPA-MET-005")
			assert.Equal(t, Error, f.Severity)
			assert.Contains(t, f.Message, "marked available but its backend failed to answer")
			assertEvidence(t, f, "list pods.metrics.k8s.io: "+err.Error())
			assert.Equal(t, []string{"shop/cms"}, f.HPAs)
		})
	}
}

func TestMetricsForbiddenIsNotAPipelineFault(t *testing.T) {
	w := baseline()
	w.metricsErr = apierrors.NewForbidden(schema.GroupResource{Group: "metrics.k8s.io",
		Resource: "pods"}, "", errors.New("no RBAC rule allows it"))

	report := w.report(t)

	for _, f := range report.Findings {
		assert.NotEqual(t, "HPA-MET-005", f.ID, "a missing permission is ours, not the API's")
	}
}
