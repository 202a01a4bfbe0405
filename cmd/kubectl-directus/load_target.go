package main

import (
	"context"
	"fmt"
	"strconv"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// findHPA checks that the namespace runs the release's Directus Deployment and returns the
// HPA that scales it.
func (o *loadOptions) findHPA(ctx context.Context) (string, error) {
	name := objectName(o.release)
	_, err := o.client.AppsV1().Deployments(o.namespace).Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return "", fmt.Errorf("no Deployment %q in namespace %q: deploy Directus there with "+
			"\"kubectl directus deploy %s -n %s\", or name the namespace that runs it with -n "+
			"and the release as NAME", name, o.namespace, o.release, o.namespace)
	}
	if err != nil {
		return "", fmt.Errorf("reading Deployment %s/%s: %w", o.namespace, name, err)
	}

	hpas, err := o.client.AutoscalingV2().HorizontalPodAutoscalers(o.namespace).List(ctx,
		metav1.ListOptions{})
	if err != nil {
		return "", fmt.Errorf("listing HorizontalPodAutoscalers in namespace %q: %w",
			o.namespace, err)
	}
	for _, hpa := range hpas.Items {
		ref := hpa.Spec.ScaleTargetRef
		if ref.Kind == "Deployment" && ref.Name == name {
			return hpa.Name, nil
		}
	}
	return "", fmt.Errorf("no HorizontalPodAutoscaler in namespace %q scales Deployment %q: "+
		"create one (\"kubectl directus deploy %s -n %s\" does), or use --local "+
		"--observe=false to load a URL without watching an HPA", o.namespace, name,
		o.release, o.namespace)
}

// serviceURL is the in-cluster address of the release's Directus Service, on its "http"
// port (or its first), with the default path.
func (o *loadOptions) serviceURL(ctx context.Context) (string, error) {
	name := objectName(o.release)
	svc, err := o.client.CoreV1().Services(o.namespace).Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return "", fmt.Errorf("no Service %q in namespace %q to send the load to: pass --url "+
			"with an address the cluster can reach", name, o.namespace)
	}
	if err != nil {
		return "", fmt.Errorf("reading Service %s/%s: %w", o.namespace, name, err)
	}
	if len(svc.Spec.Ports) == 0 {
		return "", fmt.Errorf("Service %s/%s has no ports: pass --url", o.namespace, name)
	}

	port := svc.Spec.Ports[0].Port
	for _, p := range svc.Spec.Ports {
		if p.Name == "http" {
			port = p.Port
		}
	}
	host := name + "." + o.namespace + ".svc"
	if port != 80 {
		host += ":" + strconv.Itoa(int(port))
	}
	return "http://" + host + defaultPath, nil
}
