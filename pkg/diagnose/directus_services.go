package diagnose

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// endpoint is a host and port Directus connects to, resolved to a Service of the snapshot
// when the host names one.
type endpoint struct {
	Host string
	Port string
	// DB is the Redis database number from a redis:// URL path, "" when none.
	DB string
	// Service is the Service the host names, nil for outside hosts or Services the snapshot
	// does not hold.
	Service *corev1.Service
}

func (e endpoint) String() string {
	if e.Port == "" {
		return e.Host
	}
	return net.JoinHostPort(e.Host, e.Port)
}

// serviceFor finds the Service a host name refers to from a pod in namespace ns: "kv",
// "kv.shop", "kv.shop.svc" or "kv.shop.svc.<cluster domain>".
func serviceFor(snap *view, ns, host string) *corev1.Service {
	parts := strings.Split(strings.TrimSuffix(host, "."), ".")
	name, svcNS := parts[0], ns
	if len(parts) >= 2 {
		svcNS = parts[1]
	}
	if len(parts) >= 3 && parts[2] != "svc" {
		return nil
	}
	return snap.services[svcNS+"/"+name]
}

// readyEndpoints counts the ready addresses of a Service's EndpointSlices.
func readyEndpoints(snap *view, svc *corev1.Service) int {
	return snap.ready[svc.Namespace+"/"+svc.Name]
}

// dependencyDown reports whether a Service Directus depends on has no ready endpoint.
// ExternalName Services have none by design and count as up.
func dependencyDown(snap *view, svc *corev1.Service) bool {
	if svc == nil || svc.Spec.Type == corev1.ServiceTypeExternalName {
		return false
	}
	return readyEndpoints(snap, svc) == 0
}

// redisEndpoint resolves where Directus connects to Redis: the REDIS URL wins over
// REDIS_HOST and REDIS_PORT. ok is false when Redis is not configured or its address sits in
// a Secret.
func redisEndpoint(snap *view, ns string, env *envView) (endpoint, bool) {
	if raw, ok := env.value("REDIS", ""); ok && raw != "" {
		return parseURLEndpoint(snap, ns, raw, "6379")
	}
	host, ok := env.value("REDIS_HOST", "")
	if !ok || host == "" {
		return endpoint{}, false
	}
	port, _ := env.value("REDIS_PORT", "6379")
	db, _ := env.value("REDIS_DB", "")
	return endpoint{Host: host, Port: port, DB: db, Service: serviceFor(snap, ns, host)}, true
}

// databaseEndpoint resolves where Directus connects to its database: DB_CONNECTION_STRING
// wins over DB_HOST and DB_PORT.
func databaseEndpoint(snap *view, ns string, env *envView) (endpoint, bool) {
	if raw, ok := env.value("DB_CONNECTION_STRING", ""); ok && raw != "" {
		return parseURLEndpoint(snap, ns, raw, "5432")
	}
	host, ok := env.value("DB_HOST", "")
	if !ok || host == "" {
		return endpoint{}, false
	}
	port, _ := env.value("DB_PORT", "5432")
	return endpoint{Host: host, Port: port, Service: serviceFor(snap, ns, host)}, true
}

func parseURLEndpoint(snap *view, ns, raw, defPort string) (endpoint, bool) {
	u, err := url.Parse(raw)
	if err != nil || u.Hostname() == "" {
		return endpoint{}, false
	}
	e := endpoint{Host: u.Hostname(), Port: u.Port(), DB: strings.Trim(u.Path, "/")}
	if e.Port == "" {
		e.Port = defPort
	}
	e.Service = serviceFor(snap, ns, e.Host)
	return e, true
}

// urlHasPassword reports whether a connection URL carries a password in plain text.
func urlHasPassword(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return false
	}
	_, has := u.User.Password()
	return has
}

// redisCandidates describes the Services of namespace ns that look like a Redis or Valkey
// (port 6379, or a name saying so), for a finding that suggests one.
func redisCandidates(snap *view, ns string) []string {
	var out []string
	for _, svc := range snap.byNS[ns] {
		if !looksLikeRedis(svc) {
			continue
		}
		out = append(out, fmt.Sprintf("Service %s (port %s, %s) could serve as the Redis",
			svc.Name, servicePorts(svc),
			countOf(readyEndpoints(snap, svc), "ready endpoint", "ready endpoints")))
	}
	return out
}

func looksLikeRedis(svc *corev1.Service) bool {
	for _, p := range svc.Spec.Ports {
		if p.Port == 6379 || p.TargetPort.IntValue() == 6379 {
			return true
		}
	}
	name := strings.ToLower(svc.Name)
	return strings.Contains(name, "redis") || strings.Contains(name, "valkey")
}

func servicePorts(svc *corev1.Service) string {
	ports := make([]string, len(svc.Spec.Ports))
	for i, p := range svc.Spec.Ports {
		ports[i] = strconv.Itoa(int(p.Port))
	}
	return strings.Join(ports, ",")
}

// backing is a workload whose pods a Service selects.
type backing struct {
	kind, name string
	labels     map[string]string
	spec       *corev1.PodSpec
}

// backingTemplate returns the StatefulSet or Deployment whose pods a Service selects, nil for
// a Service without selector or one that selects neither.
func backingTemplate(snap *view, svc *corev1.Service) *backing {
	if svc == nil || len(svc.Spec.Selector) == 0 {
		return nil
	}
	sel := labels.SelectorFromSet(svc.Spec.Selector)
	for _, b := range snap.templates[svc.Namespace] {
		if sel.Matches(labels.Set(b.labels)) {
			return b
		}
	}
	return nil
}

// countOf renders a count with the noun in the right number, e.g. "1 ready endpoint".
func countOf(n int, one, many string) string {
	return fmt.Sprintf("%d %s", n, plural(n, one, many))
}
