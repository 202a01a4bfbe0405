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
	"k8s.io/klog/v2"
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
		return &refusal{err: err, msg: fmt.Sprintf("the API server refused %s %s: %s; if it "+
			"names a field that cannot change once created (a volume claim template, a "+
			"selector), deploy with the options of the first run or delete that object first "+
			"(the full answer is logged at -v 4)", ref, where, invalidFields(err))}
	default:
		return fmt.Errorf("%s %s %s: %w", verb, ref, where, err)
	}
}

// refusal is a validation error of the API server told in short: its full text may quote
// the whole old and new spec. It unwraps to the API server's error.
type refusal struct {
	msg string
	err error
}

func (r *refusal) Error() string { return r.msg }
func (r *refusal) Unwrap() error { return r.err }

// maxCauseLength bounds each cause of a refusal as printed: the API server may quote the
// whole old and new spec in one.
const maxCauseLength = 160

// invalidFields lists the fields a validation error names, each with its reason shortened.
func invalidFields(err error) string {
	klog.V(4).Infof("API server refusal: %v", err)
	var status apierrors.APIStatus
	if !errors.As(err, &status) || status.Status().Details == nil ||
		len(status.Status().Details.Causes) == 0 {
		return shorten(err.Error())
	}
	var causes []string
	for _, c := range status.Status().Details.Causes {
		causes = append(causes, shorten(c.Field+": "+c.Message))
	}
	return strings.Join(causes, "; ")
}

func shorten(s string) string {
	if len(s) <= maxCauseLength {
		return s
	}
	return s[:maxCauseLength] + "…"
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
