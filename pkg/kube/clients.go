// Package kube builds the API clients every verb shares and counts the requests they make.
package kube

import (
	"fmt"
	"os"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
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
	// StreamLists lets the largest lists be read as streamed lists (a watch that sends the
	// current objects, then ends them with a bookmark) where the server offers it. Clients
	// built by NewClientsForConfig set it; fakes in tests, which cannot stream, leave it off.
	StreamLists bool
}

// NewClients builds Clients from kubectl's flags (kubeconfig, context, timeouts …).
// Every request the clients make passes through the returned counter, which also logs them
// to the file named by EnvRequestLog, when set.
func NewClients(getter genericclioptions.RESTClientGetter) (*Clients, error) {
	config, err := getter.ToRESTConfig()
	if err != nil {
		return nil, fmt.Errorf("loading kubeconfig: %w", err)
	}
	clients, err := NewClientsForConfig(config)
	if err != nil {
		return nil, err
	}
	clients.Requests.LogTo(os.Getenv(EnvRequestLog))
	return clients, nil
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

	clients := &Clients{Config: config, Requests: counter, StreamLists: true}
	if err := clients.build(config); err != nil {
		return nil, err
	}
	return clients, nil
}

// protobufConfig returns a copy of config that reads and writes built-in types as protobuf:
// a list of 10,000 pods is a third of its JSON size and decodes several times faster, on
// both sides of the connection. A server that cannot answer in protobuf (an aggregated API
// without it) answers JSON, which the client also accepts.
func protobufConfig(config *rest.Config) *rest.Config {
	proto := rest.CopyConfig(config)
	proto.ContentType = runtime.ContentTypeProtobuf
	proto.AcceptContentTypes = runtime.ContentTypeProtobuf + "," + runtime.ContentTypeJSON
	return proto
}

func (c *Clients) build(config *rest.Config) error {
	var err error
	typed := protobufConfig(config)
	if c.Kube, err = kubernetes.NewForConfig(typed); err != nil {
		return fmt.Errorf("creating kubernetes client: %w", err)
	}
	if c.Metrics, err = metricsclient.NewForConfig(typed); err != nil {
		return fmt.Errorf("creating metrics client: %w", err)
	}
	if c.Aggregator, err = aggregator.NewForConfig(typed); err != nil {
		return fmt.Errorf("creating aggregator client: %w", err)
	}
	if c.Dynamic, err = dynamic.NewForConfig(config); err != nil {
		return fmt.Errorf("creating dynamic client: %w", err)
	}
	if c.Discovery, err = discovery.NewDiscoveryClientForConfig(config); err != nil {
		return fmt.Errorf("creating discovery client: %w", err)
	}

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
