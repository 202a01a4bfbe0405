package diagnose

import (
	"fmt"
)

// replicasOwnerCheck (DX11): when an applier keeps spec.replicas in its manifest, every apply
// resets the count the HPA chose. Writes through the scale subresource (the HPA controller,
// `kubectl scale`) hold no manifest, so nothing writes them back.
func replicasOwnerCheck(c *viewCache) Check {
	return directusCheck(c, "DX11", "only the HPA sets the replica count", envNeeds(),
		func(*view) directusJudge { return judgeReplicasOwner })
}

const replicasOwnerFix = "drop spec.replicas from the manifest; with server-side apply hand " +
	"the field over first (apply only spec.replicas with a throw-away field manager, then the " +
	"manifest without it); with client-side apply, `kubectl apply view-last-applied` must no " +
	"longer show replicas"

func judgeReplicasOwner(w *workload, _ *envView) []Finding {
	if len(w.HPAs) == 0 {
		return nil
	}
	var evidence []string
	owners, _ := replicasOwners(w.Meta)
	for _, o := range owners {
		if o.Subresource != "scale" && o.Manager != managerInit && o.Manager != managerHandover {
			evidence = append(evidence, "spec.replicas owned by field manager "+o.String())
		}
	}
	if n, ok := lastAppliedReplicas(w.Meta); ok {
		evidence = append(evidence, fmt.Sprintf("%s holds spec.replicas %d",
			lastAppliedAnnotation, n))
	}
	if len(evidence) == 0 {
		return nil
	}
	return []Finding{w.finding("DX11", Warning, "an applier owns spec.replicas: its next apply "+
		"resets the replica count the HPA chose", append([]string{w.replicaRange()},
		evidence...), replicasOwnerFix)}
}
