package view

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metricsv1beta1 "k8s.io/metrics/pkg/apis/metrics/v1beta1"

	"github.com/kubectl-directus/kubectl-directus/pkg/metrics"
)

// podRow builds one pod's line: usage against the request the controller divides by, and
// the controller's treatment of the pod for every metric that sorted pods.
func podRow(pod *corev1.Pod, sample *metricsv1beta1.PodMetrics,
	results []metrics.MetricResult) TopPod {
	row := TopPod{Name: pod.Name, Phase: phaseOf(pod), Treatments: []Treatment{}}
	if ready := readyCondition(pod); ready != nil {
		row.Ready = string(ready.Status)
	}

	row.CPU = podUsage(pod, sample, corev1.ResourceCPU)
	row.Memory = podUsage(pod, sample, corev1.ResourceMemory)
	row.Treatments = treatmentsOf(pod.Name, results)
	row.Containers = containersOf(pod, sample)
	return row
}

func phaseOf(pod *corev1.Pod) string {
	if pod.DeletionTimestamp != nil {
		return "Terminating"
	}
	if pod.Status.Phase == "" {
		return "Pending"
	}
	return string(pod.Status.Phase)
}

func readyCondition(pod *corev1.Pod) *corev1.PodCondition {
	for i := range pod.Status.Conditions {
		if pod.Status.Conditions[i].Type == corev1.PodReady {
			return &pod.Status.Conditions[i]
		}
	}
	return nil
}

// podUsage is the pod's usage summed over the containers the metrics API reports, against
// the pod request the controller computes (sidecars and pod-level requests included).
func podUsage(pod *corev1.Pod, sample *metricsv1beta1.PodMetrics,
	name corev1.ResourceName) Usage {
	var u Usage
	if sample != nil && len(sample.Containers) > 0 {
		var sum int64
		for _, c := range sample.Containers {
			sum += amount(c.Usage[name], name)
		}
		u.Used = &sum
	}
	if milli, err := metrics.PodRequest(pod, name, "", true); err == nil {
		request := fromMilli(milli, name)
		u.Request = &request
	}
	u.percent()
	return u
}

// containersOf lists the containers the controller sums: regular ones, then sidecars.
func containersOf(pod *corev1.Pod, sample *metricsv1beta1.PodMetrics) []TopContainer {
	var out []TopContainer
	add := func(c *corev1.Container) {
		usage := containerSample(sample, c.Name)
		out = append(out, TopContainer{Name: c.Name,
			CPU:    containerUsage(c, usage, corev1.ResourceCPU),
			Memory: containerUsage(c, usage, corev1.ResourceMemory)})
	}
	for i := range pod.Spec.Containers {
		add(&pod.Spec.Containers[i])
	}
	for i := range pod.Spec.InitContainers {
		c := &pod.Spec.InitContainers[i]
		if c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways {
			add(c)
		}
	}
	return out
}

func containerSample(sample *metricsv1beta1.PodMetrics, name string) corev1.ResourceList {
	if sample == nil {
		return nil
	}
	for _, c := range sample.Containers {
		if c.Name == name {
			return c.Usage
		}
	}
	return nil
}

func containerUsage(c *corev1.Container, usage corev1.ResourceList,
	name corev1.ResourceName) Usage {
	var u Usage
	if q, ok := usage[name]; ok {
		used := amount(q, name)
		u.Used = &used
	}
	if q, ok := c.Resources.Requests[name]; ok {
		request := amount(q, name)
		u.Request = &request
	}
	u.percent()
	return u
}

func (u *Usage) percent() {
	if u.Used == nil || u.Request == nil || *u.Request == 0 {
		return
	}
	p := *u.Used * 100 / *u.Request
	u.Percent = &p
}

// amount is a quantity in the unit Usage uses: millicores for cpu, whole units otherwise.
func amount(q resource.Quantity, name corev1.ResourceName) int64 {
	if name == corev1.ResourceCPU {
		return q.MilliValue()
	}
	return q.Value()
}

func fromMilli(milli int64, name corev1.ResourceName) int64 {
	if name == corev1.ResourceCPU {
		return milli
	}
	return milli / 1000
}

// treatmentsOf finds the pod in the grouping of every metric that sorted pods.
func treatmentsOf(pod string, results []metrics.MetricResult) []Treatment {
	out := []Treatment{}
	for _, r := range results {
		if r.Pods == nil {
			continue
		}
		for _, view := range r.Pods.Grouping.Pods {
			if view.Name == pod {
				out = append(out, Treatment{Metric: r.Name, Treatment: string(view.Treatment),
					Reason: string(view.Reason), Detail: view.Reason.Explain()})
				break
			}
		}
	}
	return out
}
