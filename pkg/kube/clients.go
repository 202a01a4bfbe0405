// Package kube builds the API clients every verb shares and counts the requests they make.
package kube

import (
	"fmt"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/scale"
	aggregator "k8s.io/kube-aggregator/pkg/client/clientset_generated/clientset"
	metricsclient "k8s.io/metrics/pkg/client/clientset/versioned"
	customclient "k8s.io/metrics/pkg/client/custom_metrics"
)

// Clients bundles the typed, metrics, aggregator, dynamic and scale clients built from one
// REST configuration, together with the counter that sees every request they send.
type Clients struct {
	Kube    kubernetes.Interface
	Metrics metricsclient.Interface
	// CustomMetrics reads custom.metrics.k8s.io the way the HPA controller does.
	CustomMetrics customclient.CustomMetricsClient
	Aggregator    aggregator.Interface
	Dynamic       dynamic.Interface
	Discovery     discovery.DiscoveryInterface
	Scale         scale.ScalesGetter
	Mapper        meta.RESTMapper
	Config        *rest.Config
	Requests      *RequestCounter
}

// NewClients builds Clients from kubectl's flags (kubeconfig, context, timeouts …).
// Every request the clients make passes through the returned counter.
func NewClients(getter genericclioptions.RESTClientGetter) (*Clients, error) {
	config, err := getter.ToRESTConfig()
	if err != nil {
		return nil, fmt.Errorf("loading kubeconfig: %w", err)
	}
	return NewClientsForConfig(config)
}

// NewClientsForConfig builds Clients from a REST configuration, raising client-side rate
// limits so that a handful of list calls is never throttled.
func NewClientsForConfig(config *rest.Config) (*Clients, error) {
	config = rest.CopyConfig(config)
	if config.QPS == 0 {
		config.QPS = 50
		config.Burst = 100
	}
	counter := NewRequestCounter()
	config.Wrap(counter.Wrap)

	clients := &Clients{Config: config, Requests: counter}
	if err := clients.build(config); err != nil {
		return nil, err
	}
	return clients, nil
}

func (c *Clients) build(config *rest.Config) error {
	var err error
	if c.Kube, err = kubernetes.NewForConfig(config); err != nil {
		return fmt.Errorf("creating kubernetes client: %w", err)
	}
	if c.Metrics, err = metricsclient.NewForConfig(config); err != nil {
		return fmt.Errorf("creating metrics client: %w", err)
	}
	if c.Aggregator, err = aggregator.NewForConfig(config); err != nil {
		return fmt.Errorf("creating aggregator client: %w", err)
	}
	if c.Dynamic, err = dynamic.NewForConfig(config); err != nil {
		return fmt.Errorf("creating dynamic client: %w", err)
	}
	c.Discovery = c.Kube.Discovery()

	mapper := restmapper.NewDeferredDiscoveryRESTMapper(memoryCache(c.Discovery))
	c.Mapper = mapper
	c.CustomMetrics = customclient.NewForConfig(config, mapper,
		customclient.NewAvailableAPIsGetter(c.Discovery))
	resolver := scale.NewDiscoveryScaleKindResolver(c.Discovery)
	if c.Scale, err = scale.NewForConfig(config, mapper, dynamic.LegacyAPIPathResolverFunc, resolver); err != nil {
		return fmt.Errorf("creating scale client: %w", err)
	}
	return nil
}
