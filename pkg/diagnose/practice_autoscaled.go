package diagnose

import (
	"fmt"
	"sort"
	"strings"

	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
)

// Labels and annotations that say who rendered a workload.
const (
	labelManagedBy    = "app.kubernetes.io/managed-by"
	labelInstance     = "app.kubernetes.io/instance"
	labelHelmChart    = "helm.sh/chart"
	annotHelmRelease  = "meta.helm.sh/release-name"
	managedByHelm     = "Helm"
	managedByDirectus = "kubectl-directus"
)

// autoscaledCheck (HPA-CFG-001): a Directus workload no HPA targets. It runs over the
// workloads of the snapshot, not over HPAs, since the problem is the HPA that is missing.
//
// It is an error when the workload shows that autoscaling was intended: a Helm chart left
// spec.replicas out (charts do so when their autoscaling is on), the HPA controller was the
// last to set it, or the deploy verb made it. Helm's release records are Secrets, which the
// doctor does not read, so the release's values and revision status are not evidence here.
func autoscaledCheck(c *viewCache) Check {
	return Check{ID: "HPA-CFG-001", Area: AreaPractice,
		Title: "an HPA scales every Directus workload",
		Needs: []string{snapshot.ResDeployments, snapshot.ResStatefulSets, snapshot.ResHPAs},
		Run: func(_ CheckContext, snap *snapshot.Snapshot) []Finding {
			v := c.of(snap)
			var out []Finding
			for _, w := range v.workloads {
				if len(w.HPAs) == 0 {
					out = append(out, judgeNoHPA(v, w))
				}
			}
			return out
		}}
}

func judgeNoHPA(snap *view, w *workload) Finding {
	intent := autoscalingIntent(w)
	dangling := danglingHPAs(snap, w)
	evidence := []string{
		fmt.Sprintf("%s %s: spec.replicas %d", w.Kind, w.Meta.Name, w.Replicas),
		fmt.Sprintf("no HPA in namespace %s targets %s %s", w.Meta.Namespace, w.Kind, w.Meta.Name),
	}
	evidence = append(evidence, releaseEvidence(w)...)
	evidence = append(evidence, replicasRecord(w)...)
	evidence = append(evidence, intent...)
	evidence = append(evidence, dangling...)
	evidence = append(evidence, servedAutoscaling(snap))

	sev, msg := noHPAVerdict(w, len(intent) > 0, len(dangling) > 0)
	return Finding{Severity: sev, Subject: w.subject(), Message: msg, Evidence: evidence,
		Remediation: noHPAFix(w)}
}

// noHPAVerdict grades a workload no HPA targets. An HPA in the namespace that names a
// missing target is the cause the scale target checks report; this is its consequence.
func noHPAVerdict(w *workload, intended, dangling bool) (Severity, string) {
	switch {
	case dangling:
		return Info, fmt.Sprintf("no HPA targets %s %s; an HPA in %s names a target that does "+
			"not exist and may be meant for it", w.Kind, w.Meta.Name, w.Meta.Namespace)
	case intended:
		return Error, fmt.Sprintf("autoscaling was intended but no HPA targets %s %s: it runs "+
			"%d replica(s) with nothing scaling it", w.Kind, w.Meta.Name, w.Replicas)
	case w.Replicas <= 1:
		return Warning, fmt.Sprintf("no HPA targets %s %s and it runs a single replica: no "+
			"redundancy and no scaling", w.Kind, w.Meta.Name)
	}
	return Info, "no HPA scales this Directus workload; it runs a fixed replica count"
}

// autoscalingIntent lists what shows that the workload was meant to be autoscaled: a Helm
// chart that left spec.replicas out (charts do so when their autoscaling is on), or the
// deploy verb, which always adds an HPA.
//
// Writes through the scale subresource, as the HPA controller makes them, leave no owner of
// spec.replicas in managedFields on a 1.37 API server (seen in the e2e tests), so a
// Deployment an HPA once scaled looks the same as one nobody scaled: that alone is no sign.
func autoscalingIntent(w *workload) []string {
	owners, tracked := replicasOwners(w.Meta)
	helm := w.Meta.Labels[labelManagedBy] == managedByHelm ||
		w.Meta.Annotations[annotHelmRelease] != ""
	var out []string
	if tracked && helm && len(owners) == 0 {
		out = append(out, "the chart did not render spec.replicas, as charts do when "+
			"autoscaling is enabled")
	}
	if w.Meta.Labels[labelManagedBy] == managedByDirectus {
		out = append(out, "deployed by kubectl-directus, which always pairs the "+
			"Deployment with an HPA")
	}
	return out
}

// replicasRecord says who set spec.replicas, from managedFields.
func replicasRecord(w *workload) []string {
	owners, tracked := replicasOwners(w.Meta)
	switch {
	case !tracked:
		return nil
	case len(owners) == 0:
		return []string{"no field manager owns spec.replicas: no manifest sets it (the API " +
			"server's default, or a change through the scale subresource)"}
	}
	return []string{"spec.replicas set by " + ownersText(owners)}
}

func releaseEvidence(w *workload) []string {
	var out []string
	release := w.Meta.Annotations[annotHelmRelease]
	if release == "" && w.Meta.Labels[labelManagedBy] == managedByHelm {
		release = w.Meta.Labels[labelInstance]
	}
	if release != "" {
		out = append(out, "Helm release "+release+" (its revisions and values are Secrets "+
			"the doctor does not read: `helm history "+release+" -n "+w.Meta.Namespace+"`)")
	}
	if chart := w.Meta.Labels[labelHelmChart]; chart != "" {
		out = append(out, "chart "+chart)
	}
	return out
}

// servedAutoscaling names the autoscaling API versions the cluster serves and the older ones
// it does not, which charts with an outdated HPA template still render.
func servedAutoscaling(snap *view) string {
	var served, missing []string
	for _, v := range []string{"v1", "v2", "v2beta1", "v2beta2"} {
		if snap.ServedGroups["autoscaling/"+v] {
			served = append(served, v)
		} else {
			missing = append(missing, v)
		}
	}
	if len(served) == 0 && len(snap.ServedGroups) == 0 {
		return "served autoscaling versions unknown (discovery was not read)"
	}
	sort.Strings(missing)
	return "autoscaling versions served: " + strings.Join(served, ", ") + "; not served: " +
		strings.Join(missing, ", ")
}

func ownersText(owners []fieldOwner) string {
	parts := make([]string, len(owners))
	for i, o := range owners {
		parts[i] = o.String()
	}
	return strings.Join(parts, ", ")
}

func noHPAFix(w *workload) string {
	return fmt.Sprintf("apply an autoscaling/v2 HPA for %s %s (minReplicas 2, maxReplicas 10, "+
		"cpu 70%%, memory 80%%), or upgrade to a chart whose HPA template uses autoscaling/v2 "+
		"with target: blocks; until then run at least 2 replicas: `kubectl -n %s scale %s/%s "+
		"--replicas=2`", w.Kind, w.Meta.Name, w.Meta.Namespace, strings.ToLower(w.Kind),
		w.Meta.Name)
}

// danglingHPAs describes the HPAs of the workload's namespace whose target does not exist.
func danglingHPAs(snap *view, w *workload) []string {
	var out []string
	for i := range snap.HPAs {
		hpa := &snap.HPAs[i]
		if hpa.Namespace != w.Meta.Namespace {
			continue
		}
		if t := snap.TargetOf(hpa); !t.Found && t.Err == nil {
			ref := hpa.Spec.ScaleTargetRef
			out = append(out, fmt.Sprintf("HPA %s targets %s %s, which does not exist", hpa.Name,
				ref.Kind, ref.Name))
		}
	}
	return out
}
