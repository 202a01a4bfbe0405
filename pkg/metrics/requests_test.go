package metrics

import (
	"errors"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

// Expected values add the containers' requests by hand, in milli-units.
func TestPodRequest(t *testing.T) {
	cases := []struct {
		name      string
		pod       *corev1.Pod
		resource  corev1.ResourceName
		container string
		podLevel  bool
		want      int64
		wantErr   string
	}{
		{"containers are summed: 100m + 50m", newPod("p",
			containers(container("app", "100m", ""), container("log", "50m", ""))),
			"cpu", "", true, 150, ""},
		{"sidecar init container counts, classic init does not: 100m + 25m", newPod("p",
			initContainers(container("migrate", "500m", "")),
			sidecars(container("proxy", "25m", ""))),
			"cpu", "", true, 125, ""},
		{"classic init container without request is not looked at", newPod("p",
			initContainers(container("migrate", "", ""))), "cpu", "", true, 100, ""},
		{"sidecar without request fails and is named", newPod("p",
			sidecars(container("istio-proxy", "", "64Mi"))), "cpu", "", true, 0,
			"missing request for cpu in container istio-proxy of Pod p"},
		{"only the first container without request is named", newPod("p",
			containers(container("a", "", ""), container("b", "", ""))), "cpu", "", true, 0,
			"missing request for cpu in container a of Pod p"},
		{"memory in milli-units: 1Gi = 1073741824000", newPod("p",
			containers(container("app", "", "1Gi"))), "memory", "", true, 1073741824000, ""},
		{"named container alone, others may lack requests", newPod("p",
			containers(container("app", "100m", ""), container("log", "", ""))),
			"cpu", "app", true, 100, ""},
		{"named sidecar init container is found", newPod("p",
			sidecars(container("proxy", "25m", ""))), "cpu", "proxy", true, 25, ""},
		{"named classic init container is not found", newPod("p",
			initContainers(container("migrate", "500m", ""))), "cpu", "migrate", true, 0,
			"container migrate not found in Pod p"},
		{"named container absent", newPod("p"), "cpu", "web", true, 0,
			"container web not found in Pod p"},
		{"named container without request", newPod("p",
			containers(container("app", "", "1Mi"))), "cpu", "app", true, 0,
			"missing request for cpu in container app of Pod p"},
		{"pod-level request replaces the containers' 100m", newPod("p",
			podLevel("300m", "")), "cpu", "", true, 300, ""},
		{"pod-level request ignored with the gate off", newPod("p",
			podLevel("300m", "")), "cpu", "", false, 100, ""},
		{"a named container wins over pod-level requests", newPod("p",
			podLevel("300m", "")), "cpu", "app", true, 100, ""},
		// pod-level sets memory only: cpu = containers 100m + 50m, plus overhead 10m
		{"pod-level without the resource falls back to containers plus overhead", newPod("p",
			containers(container("app", "100m", ""), container("log", "50m", "")),
			podLevel("", "1Gi"), overhead("10m")), "cpu", "", true, 160, ""},
		// 300m pod-level + 20m overhead
		{"pod-level request plus overhead", newPod("p", podLevel("300m", ""), overhead("20m")),
			"cpu", "", true, 320, ""},
		// containers 100m; classic init 500m runs alone first: max(100, 500) = 500
		{"pod-level fallback takes the larger init phase", newPod("p",
			initContainers(container("migrate", "500m", "")), podLevel("", "1Gi")),
			"cpu", "", true, 500, ""},
		// sidecar 40m starts first, then classic init 300m runs beside it: 340 > 100+40
		{"pod-level fallback counts sidecars started before an init container", newPod("p",
			sidecars(container("proxy", "40m", "")),
			initContainers(container("migrate", "300m", "")), podLevel("", "1Gi")),
			"cpu", "", true, 340, ""},
		{"pod-level set but nothing gives the resource", newPod("p",
			containers(container("app", "", "1Mi")), podLevel("", "1Gi")), "cpu", "", true, 0,
			"missing pod-level request for cpu in Pod p"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := PodRequest(tc.pod, tc.resource, tc.container, tc.podLevel)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("error = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("PodRequest = %d, %v; want %d", got, err, tc.want)
			}
		})
	}
}

func TestRequestErrorsAreTyped(t *testing.T) {
	_, err := Requests([]*corev1.Pod{newPod("ok"), newPod("bad",
		containers(container("app", "", "")))}, "cpu", "", true)

	var missing *MissingRequestError
	if !errors.As(err, &missing) || missing.Pod != "bad" || missing.Container != "app" {
		t.Fatalf("error %v is not a MissingRequestError for bad/app", err)
	}
}
