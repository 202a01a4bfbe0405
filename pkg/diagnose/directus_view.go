package diagnose

import (
	"sync"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"

	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
)

// view is a snapshot as the Directus and practice checks read it: the Directus workloads with
// their resolved environment, and the objects they look up indexed by namespace and name, so
// that the cost of a doctor run grows with the size of the cluster, not with its square.
type view struct {
	*snapshot.Snapshot

	workloads  []*workload
	configMaps map[string]map[string]*corev1.ConfigMap // namespace -> name
	services   map[string]*corev1.Service              // namespace/name
	byNS       map[string][]*corev1.Service
	ready      map[string]int // namespace/name of a Service -> ready addresses
	templates  map[string][]*backing
	jobs       map[string][]*batchv1.Job

	usageOnce sync.Once
	usage     map[string]*nodeUse
}

// viewCache builds the view of a snapshot once and hands it to every check of one registry.
// It keeps the snapshot it was built from, so a new snapshot always gets a new view.
type viewCache struct {
	mu sync.Mutex
	v  *view
}

// of returns the view of snap, building it on first use.
func (c *viewCache) of(snap *snapshot.Snapshot) *view {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.v == nil || c.v.Snapshot != snap {
		c.v = newView(snap)
	}
	return c.v
}

func newView(snap *snapshot.Snapshot) *view {
	v := &view{Snapshot: snap, configMaps: map[string]map[string]*corev1.ConfigMap{},
		services: map[string]*corev1.Service{}, byNS: map[string][]*corev1.Service{},
		ready: map[string]int{}, templates: map[string][]*backing{},
		jobs: map[string][]*batchv1.Job{}}
	v.indexConfig()
	v.indexServices()
	v.indexWorkloads()
	v.workloads = directusWorkloads(snap)
	for _, w := range v.workloads {
		w.env = resolveEnv(v, w.Meta.Namespace, &w.Template.Spec, w.Container)
	}
	return v
}

func (v *view) indexConfig() {
	for i := range v.ConfigMaps {
		cm := &v.ConfigMaps[i]
		if v.configMaps[cm.Namespace] == nil {
			v.configMaps[cm.Namespace] = map[string]*corev1.ConfigMap{}
		}
		v.configMaps[cm.Namespace][cm.Name] = cm
	}
	for i := range v.Jobs {
		job := &v.Jobs[i]
		v.jobs[job.Namespace] = append(v.jobs[job.Namespace], job)
	}
}

func (v *view) indexServices() {
	for i := range v.Services {
		svc := &v.Services[i]
		v.services[svc.Namespace+"/"+svc.Name] = svc
		v.byNS[svc.Namespace] = append(v.byNS[svc.Namespace], svc)
	}
	for i := range v.Endpoints {
		slice := &v.Endpoints[i]
		key := slice.Namespace + "/" + slice.Labels[discoveryv1.LabelServiceName]
		for _, ep := range slice.Endpoints {
			if ep.Conditions.Ready == nil || *ep.Conditions.Ready {
				v.ready[key] += len(ep.Addresses)
			}
		}
	}
}

// indexWorkloads lists the pod templates of each namespace, StatefulSets first, for finding
// the workload behind a Service.
func (v *view) indexWorkloads() {
	for i := range v.StatefulSets {
		s := &v.StatefulSets[i]
		v.templates[s.Namespace] = append(v.templates[s.Namespace], &backing{kind: "StatefulSet",
			name: s.Name, labels: s.Spec.Template.Labels, spec: &s.Spec.Template.Spec})
	}
	for i := range v.Deployments {
		d := &v.Deployments[i]
		v.templates[d.Namespace] = append(v.templates[d.Namespace], &backing{kind: "Deployment",
			name: d.Name, labels: d.Spec.Template.Labels, spec: &d.Spec.Template.Spec})
	}
}

// nodeUsage returns what the pods bound to each node request, computed once per view.
func (v *view) nodeUsage() map[string]*nodeUse {
	v.usageOnce.Do(func() { v.usage = usedByNode(v.Snapshot) })
	return v.usage
}
