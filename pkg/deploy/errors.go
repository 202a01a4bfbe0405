package deploy

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"syscall"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// explain turns an API error about ref into a message that names the object and the fix.
// verb is what was attempted: get, apply, create, delete, list.
func explain(verb string, ref ObjectRef, server string, err error) error {
	where := "cluster-wide"
	if ref.Namespace != "" {
		where = fmt.Sprintf("in namespace %q", ref.Namespace)
	}
	resource := ref.GVR.GroupResource().String()

	switch {
	case apierrors.IsForbidden(err):
		return fmt.Errorf("not allowed to %s %s %s: %w; ask an administrator for a Role "+
			"granting get, create and patch on %s (check with: kubectl auth can-i patch %s%s)",
			verb, ref, where, err, resource, resource, nsFlag(ref.Namespace))
	case isUnreachable(err):
		return unreachable(server, err)
	case apierrors.IsInvalid(err):
		return fmt.Errorf("the API server refused %s %s: %w; if it names a field that cannot "+
			"change once created (a volume claim template, a selector), deploy with the "+
			"options of the first run or delete that object first", ref, where, err)
	default:
		return fmt.Errorf("%s %s %s: %w", verb, ref, where, err)
	}
}

func nsFlag(namespace string) string {
	if namespace == "" {
		return ""
	}
	return " -n " + namespace
}

// unreachable says that the API server did not answer, and where to look.
func unreachable(server string, err error) error {
	if server == "" {
		server = "of the current context"
	}
	return fmt.Errorf("cannot reach the Kubernetes API server %s: %w; check --kubeconfig and "+
		"--context, and that the cluster is running", server, err)
}

// slowServer says that the API server took longer than --request-timeout to answer.
func slowServer(server string, err error) error {
	if server == "" {
		server = "of the current context"
	}
	return fmt.Errorf("the Kubernetes API server %s did not answer in time: %w; check that the "+
		"cluster is running, or allow more with --request-timeout", server, err)
}

// isRequestTimeout reports a request that ran out of time on the client (--request-timeout)
// or on the server. The caller tells it from deploy's own --timeout by its context.
func isRequestTimeout(err error) bool {
	var netErr net.Error
	return apierrors.IsTimeout(err) || apierrors.IsServerTimeout(err) ||
		errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout())
}

// isUnreachable reports errors of the connection rather than answers of the API server.
func isUnreachable(err error) bool {
	if err == nil {
		return false
	}
	var status apierrors.APIStatus
	if errors.As(err, &status) {
		return false
	}
	if errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EHOSTUNREACH) {
		return true
	}
	var netErr net.Error
	var urlErr *url.Error
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) || errors.As(err, &urlErr) || errors.As(err, &netErr) {
		return !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded)
	}
	return strings.Contains(err.Error(), "connection refused")
}
