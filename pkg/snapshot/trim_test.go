package snapshot

import (
	"testing"

	"github.com/stretchr/testify/assert"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// admittedPod is a pod as admission leaves it: its own volume, and the token volume.
func admittedPod(name string) corev1.Pod {
	token := corev1.Volume{Name: "kube-api-access-x7k2p", VolumeSource: corev1.VolumeSource{
		Projected: &corev1.ProjectedVolumeSource{Sources: []corev1.VolumeProjection{{
			ServiceAccountToken: &corev1.ServiceAccountTokenProjection{Path: "token"}}}}}}
	uploads := corev1.Volume{Name: "uploads", VolumeSource: corev1.VolumeSource{
		EmptyDir: &corev1.EmptyDirVolumeSource{}}}
	seconds := int64(300)
	return corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"app": "cms"},
			ManagedFields: []metav1.ManagedFieldsEntry{{Manager: "kubelet"}}},
		Spec: corev1.PodSpec{
			Volumes: []corev1.Volume{uploads, token},
			Containers: []corev1.Container{{Name: "directus",
				Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{
					corev1.ResourceCPU: resource.MustParse("250m")}},
				VolumeMounts: []corev1.VolumeMount{{Name: "uploads"},
					{Name: "kube-api-access-x7k2p"}}}},
			Tolerations: []corev1.Toleration{{Key: "node.kubernetes.io/not-ready",
				Effect: corev1.TaintEffectNoExecute, TolerationSeconds: &seconds}},
		},
	}
}

func TestTrimPodsDropsOnlyWhatAdmissionAdds(t *testing.T) {
	pods := trimPods([]corev1.Pod{admittedPod("a"), admittedPod("b")})

	for _, pod := range pods {
		assert.Nil(t, pod.ManagedFields)
		assert.Equal(t, []corev1.Volume{{Name: "uploads", VolumeSource: corev1.VolumeSource{
			EmptyDir: &corev1.EmptyDirVolumeSource{}}}}, pod.Spec.Volumes)
		assert.Equal(t, []corev1.VolumeMount{{Name: "uploads"}},
			pod.Spec.Containers[0].VolumeMounts)
		assert.Equal(t, "250m", pod.Spec.Containers[0].Resources.Requests.Cpu().String())
	}
}

func TestTrimPodsSharesEqualMaps(t *testing.T) {
	pods := trimPods([]corev1.Pod{admittedPod("a"), admittedPod("b")})
	a, b := pods[0], pods[1]

	sameMap := func(x, y map[string]string) bool {
		x["probe"] = "1"
		defer delete(x, "probe")
		return y["probe"] == "1"
	}
	assert.True(t, sameMap(a.Labels, b.Labels))
	assert.Same(t, &a.Spec.Tolerations[0], &b.Spec.Tolerations[0])

	other := admittedPod("c")
	other.Labels = map[string]string{"app": "web"}
	pods = trimPods([]corev1.Pod{admittedPod("a"), other})
	assert.Equal(t, "web", pods[1].Labels["app"], "unequal maps stay apart")
}
