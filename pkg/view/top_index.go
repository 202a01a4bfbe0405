package view

import (
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/selection"
	metricsv1beta1 "k8s.io/metrics/pkg/apis/metrics/v1beta1"

	"github.com/kubectl-directus/kubectl-directus/pkg/metrics"
	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
)

// topInput is the snapshot with the lookups every HPA of a report shares, built once so that
// each HPA costs work in proportion to its own pods, not to the namespace.
type topInput struct {
	snap *snapshot.Snapshot
	// samples indexes pod metrics by "namespace\x00key=value" of each label, and by namespace
	// under "namespace\x00".
	samples map[string][]metricsv1beta1.PodMetrics
	// claims maps "namespace/pod" to the HPAs whose target selects the pod.
	claims map[string][]metrics.Peer
}

func newTopInput(snap *snapshot.Snapshot) *topInput {
	in := &topInput{snap: snap, samples: map[string][]metricsv1beta1.PodMetrics{},
		claims: map[string][]metrics.Peer{}}
	for _, m := range snap.PodMetrics {
		in.samples[m.Namespace+"\x00"] = append(in.samples[m.Namespace+"\x00"], m)
		for k, v := range m.Labels {
			key := m.Namespace + "\x00" + k + "=" + v
			in.samples[key] = append(in.samples[key], m)
		}
	}
	for i := range snap.HPAs {
		in.addClaims(&snap.HPAs[i])
	}
	return in
}

// addClaims records the HPA against every pod its target selects.
func (in *topInput) addClaims(hpa *autoscalingv2.HorizontalPodAutoscaler) {
	target := in.snap.TargetOf(hpa)
	if target.Selector == nil {
		return
	}
	peer := metrics.Peer{Name: hpa.Name, Selector: target.Selector.String()}
	for _, pod := range in.snap.PodsMatching(hpa.Namespace, target.Selector) {
		key := pod.Namespace + "/" + pod.Name
		in.claims[key] = append(in.claims[key], peer)
	}
}

// peersOf returns the HPAs that select any of pods: only those can make the controller see
// an ambiguous selector, so the others need not be passed on.
func (in *topInput) peersOf(hpa *autoscalingv2.HorizontalPodAutoscaler,
	pods []*corev1.Pod) []metrics.Peer {
	var peers []metrics.Peer
	seen := map[string]bool{hpa.Name: true}
	for _, pod := range pods {
		for _, peer := range in.claims[pod.Namespace+"/"+pod.Name] {
			if !seen[peer.Name] {
				seen[peer.Name] = true
				peers = append(peers, peer)
			}
		}
	}
	return peers
}

// samplesFor narrows the namespace's pod metrics to the candidates of the selector's first
// equality requirement; the metrics source then applies the whole selector, as the metrics
// API does.
func (in *topInput) samplesFor(ns string, selector labels.Selector) []metricsv1beta1.PodMetrics {
	if selector == nil {
		return in.samples[ns+"\x00"]
	}
	reqs, _ := selector.Requirements()
	for _, r := range reqs {
		if r.Operator() != selection.Equals && r.Operator() != selection.DoubleEquals {
			continue
		}
		for value := range r.Values() {
			return in.samples[ns+"\x00"+r.Key()+"="+value]
		}
	}
	return in.samples[ns+"\x00"]
}
