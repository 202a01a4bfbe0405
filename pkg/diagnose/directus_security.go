package diagnose

import (
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// securityCheck (DX18): the Directus image runs as the user *name* node. With runAsNonRoot
// and no numeric runAsUser the kubelet cannot verify the user and refuses to start the
// container (CreateContainerConfigError). Unset fields of the restricted profile are advice.
func securityCheck(c *viewCache) Check {
	return directusCheck(c, "DX18", "the Directus container can start as non-root", envNeeds(),
		func(*view) directusJudge { return judgeSecurity })
}

const securityFix = "set the pod's securityContext to runAsNonRoot: true, runAsUser: 1000, " +
	"runAsGroup: 1000, fsGroup: 1000, seccompProfile RuntimeDefault, and the container's to " +
	"allowPrivilegeEscalation: false, capabilities.drop [ALL]"

func judgeSecurity(w *workload, _ *envView) []Finding {
	pod, c := w.Template.Spec.SecurityContext, w.Container.SecurityContext
	var out []Finding
	byName := imageRepository(w.Container.Image) == directusImage
	if byName && nonRoot(pod, c) && runAsUser(pod, c) == nil {
		out = append(out, w.finding("DX18", Error, "runAsNonRoot without a numeric runAsUser: "+
			"the image's user is the name node, which the kubelet cannot verify, so the "+
			"container never starts", []string{"runAsNonRoot true, runAsUser unset in the pod " +
			"and the container"}, securityFix))
	}
	if missing := restrictedGaps(pod, c); len(missing) > 0 {
		out = append(out, w.finding("DX18", Info, "the Directus container does not meet the "+
			"restricted Pod Security profile", []string{"unset: " + strings.Join(missing, ", ")},
			securityFix))
	}
	return out
}

func nonRoot(pod *corev1.PodSecurityContext, c *corev1.SecurityContext) bool {
	if c != nil && c.RunAsNonRoot != nil {
		return *c.RunAsNonRoot
	}
	return pod != nil && pod.RunAsNonRoot != nil && *pod.RunAsNonRoot
}

func runAsUser(pod *corev1.PodSecurityContext, c *corev1.SecurityContext) *int64 {
	if c != nil && c.RunAsUser != nil {
		return c.RunAsUser
	}
	if pod != nil {
		return pod.RunAsUser
	}
	return nil
}

// restrictedGaps lists the restricted profile's fields the container leaves unset.
func restrictedGaps(pod *corev1.PodSecurityContext, c *corev1.SecurityContext) []string {
	var out []string
	if c == nil || c.AllowPrivilegeEscalation == nil || *c.AllowPrivilegeEscalation {
		out = append(out, "allowPrivilegeEscalation: false")
	}
	if c == nil || c.Capabilities == nil || !dropsAll(c.Capabilities.Drop) {
		out = append(out, "capabilities.drop [ALL]")
	}
	if !nonRoot(pod, c) {
		out = append(out, "runAsNonRoot: true")
	}
	if (c == nil || c.SeccompProfile == nil) && (pod == nil || pod.SeccompProfile == nil) {
		out = append(out, "seccompProfile RuntimeDefault")
	}
	return out
}

func dropsAll(caps []corev1.Capability) bool {
	for _, c := range caps {
		if c == "ALL" {
			return true
		}
	}
	return false
}
