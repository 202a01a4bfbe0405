package kube

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilnet "k8s.io/apimachinery/pkg/util/net"
	"k8s.io/client-go/rest"
)

// podList answers every request with an empty pod list.
func podList(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{"kind":"PodList","apiVersion":"v1","items":[]}`))
}

func TestRequestCounterLogsEveryRequestWithItsOutcome(t *testing.T) {
	server := httptest.NewServer(http.HandlerFunc(podList))
	defer server.Close()
	clients, err := NewClientsForConfig(&rest.Config{Host: server.URL})
	require.NoError(t, err)
	logPath := filepath.Join(t.TempDir(), "requests.log")
	clients.Requests.LogTo(logPath)

	pods := clients.Kube.CoreV1().Pods("shop")
	_, err = pods.List(t.Context(), metav1.ListOptions{ResourceVersion: "0"})
	require.NoError(t, err)
	_, err = pods.List(t.Context(), metav1.ListOptions{})
	require.NoError(t, err)

	data, err := os.ReadFile(logPath)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	assert.Equal(t, []string{
		"GET /api/v1/namespaces/shop/pods?resourceVersion=0 200 OK",
		"GET /api/v1/namespaces/shop/pods 200 OK",
	}, lines)
	assert.Equal(t, map[string]int{"GET": 2}, clients.Requests.ByMethod())
	assert.Equal(t, 2, clients.Requests.Total())
}

func TestRequestCounterLogsTransportErrors(t *testing.T) {
	server := httptest.NewServer(http.HandlerFunc(podList))
	server.Close() // a loopback port nothing listens on any more

	clients, err := NewClientsForConfig(&rest.Config{Host: server.URL})
	require.NoError(t, err)
	logPath := filepath.Join(t.TempDir(), "requests.log")
	clients.Requests.LogTo(logPath)

	_, err = clients.Kube.CoreV1().Pods("").List(t.Context(), metav1.ListOptions{})
	require.Error(t, err)

	data, err := os.ReadFile(logPath)
	require.NoError(t, err)
	assert.Contains(t, string(data), "GET /api/v1/pods error: ")
	assert.Contains(t, string(data), "connection refused")
}

func TestRequestCounterWithoutLogWritesNothing(t *testing.T) {
	server := httptest.NewServer(http.HandlerFunc(podList))
	defer server.Close()
	dir := t.TempDir()
	t.Chdir(dir)

	clients, err := NewClientsForConfig(&rest.Config{Host: server.URL})
	require.NoError(t, err)
	_, err = clients.Kube.CoreV1().Pods("").List(t.Context(), metav1.ListOptions{})
	require.NoError(t, err)

	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries)
	assert.Equal(t, []string{"GET /api/v1/pods"}, clients.Requests.Requests())
}

func TestRequestCounterTransportExposesTheTransportItWraps(t *testing.T) {
	inner := http.DefaultTransport
	wrapped := NewRequestCounter().Wrap(inner)

	unwrapper, ok := wrapped.(utilnet.RoundTripperWrapper)
	require.True(t, ok, "client-go cannot cancel timed-out requests through %T", wrapped)
	assert.Same(t, inner, unwrapper.WrappedRoundTripper())
}

func TestTypedClientsAskForProtobufAndAcceptJSON(t *testing.T) {
	var accepts []string
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		accepts = append(accepts, r.URL.Path+" "+r.Header.Get("Accept"))
		podList(w, r)
	}))
	defer server.Close()
	clients, err := NewClientsForConfig(&rest.Config{Host: server.URL})
	require.NoError(t, err)

	_, err = clients.Kube.CoreV1().Pods("shop").List(t.Context(), metav1.ListOptions{})
	require.NoError(t, err, "a JSON answer to a protobuf request still decodes")
	_, _ = clients.Metrics.MetricsV1beta1().PodMetricses("shop").List(t.Context(),
		metav1.ListOptions{})

	want := "application/vnd.kubernetes.protobuf,application/json"
	assert.Equal(t, []string{
		"/api/v1/namespaces/shop/pods " + want,
		"/apis/metrics.k8s.io/v1beta1/namespaces/shop/pods " + want,
	}, accepts)
}
