package metrics

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// MissingRequestError is the controller's failure when a container it sums has no request for
// the metric's resource. Only the first offender is named, as in the controller's message.
type MissingRequestError struct {
	Resource  corev1.ResourceName
	Container string
	Pod       string
}

func (e *MissingRequestError) Error() string {
	return fmt.Sprintf("missing request for %s in container %s of Pod %s",
		e.Resource, e.Container, e.Pod)
}

// MissingPodLevelRequestError is the failure when a pod sets pod-level requests but neither
// they nor its containers give one for the resource.
type MissingPodLevelRequestError struct {
	Resource corev1.ResourceName
	Pod      string
}

func (e *MissingPodLevelRequestError) Error() string {
	return fmt.Sprintf("missing pod-level request for %s in Pod %s", e.Resource, e.Pod)
}

// ContainerNotFoundError is the failure of a ContainerResource metric naming a container the
// pod does not have.
type ContainerNotFoundError struct {
	Container string
	Pod       string
}

func (e *ContainerNotFoundError) Error() string {
	return fmt.Sprintf("container %s not found in Pod %s", e.Container, e.Pod)
}

// PodRequest is the request, in milli-units, the controller divides a pod's usage by. With
// container empty it sums the regular containers and the init containers that run as sidecars
// (restartPolicy Always), or takes the pod-level request when the pod sets pod-level requests;
// with container set it takes that container's request alone. podLevel says whether the
// PodLevelResources feature gate is on (the default in 1.37).
func PodRequest(pod *corev1.Pod, resource corev1.ResourceName, container string,
	podLevel bool) (int64, error) {
	if podLevel && container == "" && podLevelRequestsSet(pod) {
		return podLevelRequest(pod, resource)
	}
	return containerRequests(pod, resource, container)
}

// Requests returns PodRequest for every pod, aligned with pods, or the first failure.
func Requests(pods []*corev1.Pod, resource corev1.ResourceName, container string,
	podLevel bool) ([]int64, error) {
	requests := make([]int64, len(pods))
	for i, pod := range pods {
		request, err := PodRequest(pod, resource, container, podLevel)
		if err != nil {
			return nil, err
		}
		requests[i] = request
	}
	return requests, nil
}

// containerRequests sums the requests of the containers the controller looks at: regular
// containers first, then sidecar init containers, stopping at the named container if any.
func containerRequests(pod *corev1.Pod, resource corev1.ResourceName,
	container string) (int64, error) {
	var sum int64
	visit := func(c *corev1.Container) (done bool, err error) {
		if container != "" && c.Name != container {
			return false, nil
		}
		q, ok := c.Resources.Requests[resource]
		if !ok {
			return true, &MissingRequestError{Resource: resource, Container: c.Name, Pod: pod.Name}
		}
		sum += q.MilliValue()
		return container != "", nil
	}

	for i := range pod.Spec.Containers {
		if done, err := visit(&pod.Spec.Containers[i]); done {
			return sum, err
		}
	}
	for i := range pod.Spec.InitContainers {
		if !isSidecar(&pod.Spec.InitContainers[i]) {
			continue
		}
		if done, err := visit(&pod.Spec.InitContainers[i]); done {
			return sum, err
		}
	}

	if container != "" {
		return 0, &ContainerNotFoundError{Container: container, Pod: pod.Name}
	}
	return sum, nil
}

func isSidecar(c *corev1.Container) bool {
	return c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways
}

// podLevelSupported reports whether a resource may be requested at pod level.
func podLevelSupported(name corev1.ResourceName) bool {
	return name == corev1.ResourceCPU || name == corev1.ResourceMemory ||
		strings.HasPrefix(string(name), corev1.ResourceHugePagesPrefix)
}

func podLevelRequestsSet(pod *corev1.Pod) bool {
	if pod.Spec.Resources == nil {
		return false
	}
	for name := range pod.Spec.Resources.Requests {
		if podLevelSupported(name) {
			return true
		}
	}
	return false
}

// podLevelRequest is the pod's effective request for resource when pod-level requests are
// set: the pod-level value if given, else what the containers add up to (sidecars included,
// each classic init container counted with the sidecars started before it, the larger of the
// two phases winning), plus the pod's overhead.
func podLevelRequest(pod *corev1.Pod, resource corev1.ResourceName) (int64, error) {
	value, found := aggregateContainerRequest(pod, resource)
	if q, ok := pod.Spec.Resources.Requests[resource]; ok && podLevelSupported(resource) {
		value, found = q.MilliValue(), true
	}
	if q, ok := pod.Spec.Overhead[resource]; ok {
		value, found = value+q.MilliValue(), true
	}

	if !found {
		return 0, &MissingPodLevelRequestError{Resource: resource, Pod: pod.Name}
	}
	return value, nil
}

// aggregateContainerRequest adds up one resource over the pod's containers the way the
// scheduler does; found is false when no container names the resource at all.
func aggregateContainerRequest(pod *corev1.Pod, resource corev1.ResourceName) (int64, bool) {
	var running, sidecars, initPeak int64
	found := false
	for _, c := range pod.Spec.Containers {
		if q, ok := c.Resources.Requests[resource]; ok {
			running += q.MilliValue()
			found = true
		}
	}

	for i := range pod.Spec.InitContainers {
		c := &pod.Spec.InitContainers[i]
		q, ok := c.Resources.Requests[resource]
		found = found || ok
		phase := q.MilliValue() + sidecars
		if isSidecar(c) {
			running += q.MilliValue()
			sidecars += q.MilliValue()
			phase = sidecars
		}
		initPeak = max(initPeak, phase)
	}
	return max(running, initPeak), found
}
