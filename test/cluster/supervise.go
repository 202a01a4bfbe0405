package cluster

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"
)

// restartExited has kwokctl start again the components whose process has exited. kwokctl
// does not supervise what it starts, and on a loaded machine metrics-server in particular
// exits when the API server is too slow to answer its first requests.
func (c *Cluster) restartExited(ctx context.Context, logf func(string, ...any)) error {
	var exited []string
	for _, name := range clusterComponents() {
		if pid, err := c.componentPID(name); err != nil || processGone(pid) {
			exited = append(exited, name)
		}
	}
	if len(exited) == 0 {
		return nil
	}

	logf("e2e: cluster %s: restarting %v, which exited", c.Name, exited)
	_, err := c.kwokctl(ctx, "start", "cluster")
	return err
}

// metricsServerLive reports whether metrics-server answers its /livez on the loopback port:
// it serves, and its scrapes run on time. Its /readyz would also need data, which an idle
// cluster lacks (metrics-server drops nodes whose usage is zero).
func (c *Cluster) metricsServerLive(ctx context.Context) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()

	url := "https://" + net.JoinHostPort(loopback, strconv.Itoa(int(c.ports.MetricsServer))) +
		"/livez"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return false, err
	}
	// metrics-server serves the cluster's self-signed admin certificate.
	transport := &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}
	defer transport.CloseIdleConnections()

	resp, err := (&http.Client{Transport: transport}).Do(req)
	if err != nil {
		return false, err
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return false, fmt.Errorf("metrics-server /livez: %s", resp.Status)
	}
	return true, nil
}
