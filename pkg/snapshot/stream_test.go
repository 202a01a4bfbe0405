package snapshot

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// podJSON is a pod as the API server writes it in JSON.
func podJSON(name string) string {
	return fmt.Sprintf(`{"kind":"Pod","apiVersion":"v1","metadata":{"name":%q,"namespace":"shop"}}`,
		name)
}

// streamingServer answers a streamed pod list with n pods and the closing bookmark, and a
// plain list with one pod; refuse, when not zero, is the status it answers the streamed list
// with instead: 400 from a server without streaming lists, 403 for a user who may list but
// not watch. It records the requests.
func streamingServer(t *testing.T, n, refuse int, seen *[]string) kubernetes.Interface {
	t.Helper()
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		*seen = append(*seen, r.URL.RawQuery)
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Query().Get("watch") != "true":
			fmt.Fprintf(w, `{"kind":"PodList","apiVersion":"v1","items":[%s]}`, podJSON("listed"))
		case refuse != 0:
			w.WriteHeader(refuse)
			fmt.Fprintf(w, `{"kind":"Status","apiVersion":"v1","status":"Failure",`+
				`"code":%d,"message":"refused"}`, refuse)
		default:
			for i := range n {
				fmt.Fprintf(w, `{"type":"ADDED","object":%s}`+"\n", podJSON(fmt.Sprint("p-", i)))
			}
			fmt.Fprint(w, `{"type":"BOOKMARK","object":{"kind":"Pod","apiVersion":"v1",`+
				`"metadata":{"resourceVersion":"9","annotations":{"k8s.io/initial-events-end":"true"}}}}`+"\n")
			w.(http.Flusher).Flush()
			<-r.Context().Done() // a watch stays open; the client ends it
		}
	}))
	t.Cleanup(server.Close)
	client, err := kubernetes.NewForConfig(&rest.Config{Host: server.URL})
	require.NoError(t, err)
	return client
}

func listPods(ctx context.Context, client kubernetes.Interface, stream bool) ([]corev1.Pod, error) {
	timeout := time.Duration(-1)
	if stream {
		timeout = 0
	}
	pods := client.CoreV1().Pods("shop")
	return listOrStream[corev1.Pod](ctx, timeout, pods.Watch, func() ([]corev1.Pod, error) {
		list, err := pods.List(ctx, metav1.ListOptions{})
		if err != nil {
			return nil, err
		}
		return list.Items, nil
	})
}

func TestStreamedListReadsEveryObjectUpToTheBookmark(t *testing.T) {
	var seen []string
	client := streamingServer(t, 1300, 0, &seen) // more than two chunks

	pods, err := listPods(t.Context(), client, true)

	require.NoError(t, err)
	require.Len(t, pods, 1300)
	assert.Equal(t, "p-0", pods[0].Name)
	assert.Equal(t, "p-1299", pods[1299].Name)
	assert.Equal(t, 1300, cap(pods), "exactly sized")
	require.Len(t, seen, 1, "one request")
	for _, param := range []string{"watch=true", "sendInitialEvents=true",
		"resourceVersionMatch=NotOlderThan", "allowWatchBookmarks=true"} {
		assert.Contains(t, seen[0], param)
	}
}

func TestStreamedListFallsBackToAListWhenRefused(t *testing.T) {
	for _, status := range []int{http.StatusBadRequest, http.StatusForbidden} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			var seen []string
			client := streamingServer(t, 3, status, &seen)

			pods, err := listPods(t.Context(), client, true)

			require.NoError(t, err)
			require.Len(t, pods, 1)
			assert.Equal(t, "listed", pods[0].Name)
			require.Len(t, seen, 2)
			assert.True(t, strings.Contains(seen[0], "watch=true") &&
				!strings.Contains(seen[1], "watch"))
		})
	}
}

func TestListWithoutStreaming(t *testing.T) {
	var seen []string
	client := streamingServer(t, 3, 0, &seen)

	pods, err := listPods(t.Context(), client, false)

	require.NoError(t, err)
	assert.Len(t, pods, 1)
	assert.NotContains(t, seen[0], "watch")
}
