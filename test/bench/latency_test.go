package bench

import (
	"errors"
	"io"
	"net"
	"net/url"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"k8s.io/client-go/tools/clientcmd"
)

// latencyProxy forwards TCP connections from a loopback port to the API server and delivers
// every chunk of bytes, in each direction, half a round trip after it was read: each request
// and its answer take one round trip longer, as with an API server across a network, while
// throughput stays that of the loopback interface. TLS passes through untouched.
type latencyProxy struct {
	listener net.Listener
	target   string
	oneWay   time.Duration
	wg       sync.WaitGroup
}

// startLatencyProxy listens on a free loopback port and forwards to target (host:port) with
// round trip rtt; it stops when the benchmark ends.
func startLatencyProxy(tb testing.TB, target string, rtt time.Duration) *latencyProxy {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("latency proxy: %v", err)
	}
	p := &latencyProxy{listener: l, target: target, oneWay: rtt / 2}
	p.wg.Go(p.serve)
	tb.Cleanup(func() {
		_ = l.Close()
		p.wg.Wait()
	})
	return p
}

// Addr is the proxy's host:port.
func (p *latencyProxy) Addr() string { return p.listener.Addr().String() }

func (p *latencyProxy) serve() {
	for {
		client, err := p.listener.Accept()
		if err != nil {
			return
		}
		p.wg.Go(func() { p.forward(client) })
	}
}

// forward pipes one connection both ways through delay lines.
func (p *latencyProxy) forward(client net.Conn) {
	defer client.Close()
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	defer server.Close()

	var pipes sync.WaitGroup
	pipes.Go(func() { p.delayed(server, client); _ = server.Close() })
	pipes.Go(func() { p.delayed(client, server); _ = client.Close() })
	pipes.Wait()
}

// chunk is bytes read at a moment.
type chunk struct {
	data []byte
	at   time.Time
}

// delayed copies src to dst, each chunk oneWay after it was read, without holding up reads.
func (p *latencyProxy) delayed(dst io.Writer, src io.Reader) {
	line := make(chan chunk, 1<<14)
	go func() {
		defer close(line)
		for {
			buf := make([]byte, 64<<10)
			n, err := src.Read(buf)
			if n > 0 {
				line <- chunk{data: buf[:n], at: time.Now()}
			}
			if err != nil {
				return
			}
		}
	}()
	for c := range line {
		time.Sleep(time.Until(c.at.Add(p.oneWay)))
		if _, err := dst.Write(c.data); err != nil {
			for range line { // drain so the reader can end
			}
			return
		}
	}
}

// kubeconfigThrough writes a copy of the kubeconfig at path whose clusters point at addr
// instead, keeping the host name checked by TLS, and returns the copy's path.
func kubeconfigThrough(tb testing.TB, path, addr string) string {
	tb.Helper()
	config, err := clientcmd.LoadFromFile(path)
	if err != nil {
		tb.Fatalf("reading %s: %v", path, err)
	}
	for name, cluster := range config.Clusters {
		u, err := url.Parse(cluster.Server)
		if err != nil || u.Hostname() != "127.0.0.1" {
			tb.Fatalf("cluster %s: server %q is not on the loopback address", name, cluster.Server)
		}
		u.Host = addr
		cluster.Server = u.String()
	}
	out := filepath.Join(tb.TempDir(), "kubeconfig-latency.yaml")
	if err := clientcmd.WriteToFile(*config, out); err != nil {
		tb.Fatalf("writing %s: %v", out, err)
	}
	return out
}

// serverAddr returns the host:port of the first cluster in the kubeconfig at path.
func serverAddr(tb testing.TB, path string) string {
	tb.Helper()
	config, err := clientcmd.LoadFromFile(path)
	if err != nil {
		tb.Fatalf("reading %s: %v", path, err)
	}
	for _, cluster := range config.Clusters {
		u, err := url.Parse(cluster.Server)
		if err == nil {
			return u.Host
		}
	}
	tb.Fatal(errors.New("the kubeconfig names no cluster"))
	return ""
}
