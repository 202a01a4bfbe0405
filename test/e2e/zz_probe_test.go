package e2e

import (
	"testing"

	"github.com/kubectl-directus/kubectl-directus/test/cluster"
)

func TestZZProbe(t *testing.T) {
	c := cluster.Shared(t)
	ns := c.Namespace(t)
	healthyCMS(t, c, ns)
	out, errOut, err := c.Directus(t, "doctor", "-n", ns, "--show-ok", "-v", "2")
	t.Logf("err=%v\n%s\n%s", err, out, errOut)
	out, _, _ = c.Kubectl(t, "get", "apiservice", "v1beta1.metrics.k8s.io", "-o", "yaml")
	t.Log(out)
	out, _, _ = c.Kubectl(t, "get", "svc,endpointslices,deploy,pods", "-n", "kube-system", "-o", "wide")
	t.Log(out)
	out, _, _ = c.Kubectl(t, "api-versions")
	t.Log(out)
}
