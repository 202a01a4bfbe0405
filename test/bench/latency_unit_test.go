package bench

import (
	"bytes"
	"crypto/rand"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// echoServer echoes every connection back on a loopback port.
func echoServer(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = l.Close() })
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go func() { defer conn.Close(); _, _ = io.Copy(conn, conn) }()
		}
	}()
	return l.Addr().String()
}

func TestLatencyProxyAddsTheRoundTripAndKeepsTheBytes(t *testing.T) {
	const rtt = 40 * time.Millisecond
	proxy := startLatencyProxy(t, echoServer(t), rtt)
	conn, err := net.Dial("tcp", proxy.Addr())
	require.NoError(t, err)
	defer conn.Close()

	began := time.Now()
	_, err = conn.Write([]byte("ping"))
	require.NoError(t, err)
	reply := make([]byte, 4)
	_, err = io.ReadFull(conn, reply)
	require.NoError(t, err)
	// half a round trip each way
	assert.GreaterOrEqual(t, time.Since(began), rtt)
	assert.Equal(t, "ping", string(reply))

	payload := make([]byte, 4<<20)
	_, _ = rand.Read(payload)
	go func() { _, _ = conn.Write(payload) }()
	back := make([]byte, len(payload))
	_, err = io.ReadFull(conn, back)
	require.NoError(t, err)
	assert.True(t, bytes.Equal(payload, back), "the bytes arrive whole and in order")
}

func TestKubeconfigThroughPointsEveryClusterAtTheProxy(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kubeconfig")
	require.NoError(t, os.WriteFile(path, []byte(`apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: {server: "https://127.0.0.1:6443", certificate-authority-data: Zm9v}
contexts:
- name: c
  context: {cluster: c, user: u}
current-context: c
users:
- name: u
  user: {token: t}
`), 0o600))

	assert.Equal(t, "127.0.0.1:6443", serverAddr(t, path))
	out := kubeconfigThrough(t, path, "127.0.0.1:7000")
	data, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.True(t, strings.Contains(string(data), "server: https://127.0.0.1:7000"), string(data))
	assert.Contains(t, string(data), "certificate-authority-data: Zm9v")
}
