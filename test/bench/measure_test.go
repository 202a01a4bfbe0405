package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kubectl-directus/kubectl-directus/pkg/kube"
	"github.com/kubectl-directus/kubectl-directus/test/cluster"
)

// command is one row of the table.
type command struct {
	Label  string   // as the table shows it
	Binary string   // absolute path
	Args   []string // without the binary
	// OK lists the exit codes that count as success (doctor exits 2 on error findings).
	OK []int
	// Plugin marks our binary, which counts its own requests (kube.EnvRequestLog).
	Plugin bool
}

// run is one measured execution of a command.
type run struct {
	Wall   time.Duration
	MaxRSS int64  // bytes, the child's peak resident set
	Audit  int    // requests the API server audited for it
	Own    int    // requests it counted itself; -1 when it cannot say
	Stdout string // only when asked to keep it; measured runs write to /dev/null
}

// runner executes commands against one cluster, through kubeconfig, with a fresh kubectl
// cache directory.
type runner struct {
	kubeconfig string
	home       string
	auditLog   string
}

func newRunner(b *testing.B, c *cluster.Cluster, kubeconfig string) *runner {
	if c.AuditLog == "" {
		b.Fatal("the benchmark cluster has no audit log")
	}
	return &runner{kubeconfig: kubeconfig, home: b.TempDir(), auditLog: c.AuditLog}
}

// env is the environment of every measured command: the cluster's kubeconfig, and a home
// and cache directory of the benchmark's own so kubectl's discovery cache starts cold once.
func (r *runner) env(requestLog string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "KUBECONFIG=") && !strings.HasPrefix(kv, "HOME=") &&
			!strings.HasPrefix(kv, "KUBECACHEDIR=") && !strings.HasPrefix(kv, kube.EnvRequestLog+"=") {
			env = append(env, kv)
		}
	}
	env = append(env, "KUBECONFIG="+r.kubeconfig, "HOME="+r.home,
		"KUBECACHEDIR="+filepath.Join(r.home, "cache"))
	if requestLog != "" {
		env = append(env, kube.EnvRequestLog+"="+requestLog)
	}
	return env
}

// measure runs cmd once to warm caches, then n times, and returns the measured runs.
func (r *runner) measure(ctx context.Context, cmd command, n int) ([]run, error) {
	if _, err := r.once(ctx, cmd, false); err != nil {
		return nil, err
	}
	runs := make([]run, 0, n)
	for range n {
		res, err := r.once(ctx, cmd, false)
		if err != nil {
			return nil, err
		}
		runs = append(runs, res)
	}
	return runs, nil
}

// once runs cmd and measures it: wall time, peak RSS, and its requests on both sides. Its
// standard output is kept in the run when keep is set, else it goes to /dev/null.
func (r *runner) once(ctx context.Context, cmd command, keep bool) (run, error) {
	requestLog := ""
	if cmd.Plugin {
		requestLog = filepath.Join(r.home, "requests.log")
		_ = os.Remove(requestLog)
	}
	offset, err := fileSize(r.auditLog)
	if err != nil {
		return run{}, err
	}

	res, err := r.exec(ctx, cmd, requestLog, keep)
	if err != nil {
		return run{}, err
	}

	// The audit event of the last response is written as the response ends; let it land.
	time.Sleep(500 * time.Millisecond)
	if res.Audit, err = countAudit(r.auditLog, offset, userAgentPrefix(cmd.Binary)); err != nil {
		return run{}, err
	}
	res.Own = -1
	if cmd.Plugin {
		res.Own, err = countLines(requestLog)
	}
	return res, err
}

// exec runs the command and returns its wall time and peak RSS, and its output if keep.
func (r *runner) exec(ctx context.Context, cmd command, requestLog string, keep bool) (run, error) {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Minute)
	defer cancel()
	c := exec.CommandContext(ctx, cmd.Binary, cmd.Args...)
	c.Env = r.env(requestLog)
	var stdout, stderr bytes.Buffer
	c.Stdout, c.Stderr = &stdout, &stderr
	if !keep {
		devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
		if err != nil {
			return run{}, err
		}
		defer devNull.Close()
		c.Stdout = devNull
	}

	began := time.Now()
	err := c.Run()
	wall := time.Since(began)
	if err != nil && !slices.Contains(cmd.OK, c.ProcessState.ExitCode()) {
		return run{}, fmt.Errorf("%s: %w\n%s", cmd.Label, err, tail(stderr.String(), 20))
	}
	rusage, _ := c.ProcessState.SysUsage().(*syscall.Rusage)
	var rss int64
	if rusage != nil {
		rss = rusage.Maxrss * 1024 // Linux reports kilobytes
	}
	return run{Wall: wall, MaxRSS: rss, Stdout: stdout.String()}, nil
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

func fileSize(path string) (int64, error) {
	info, err := os.Stat(path)
	if err != nil {
		return 0, fmt.Errorf("audit log: %w", err)
	}
	return info.Size(), nil
}

// userAgentPrefix is how client-go starts the user agent of a binary: its name and a slash.
func userAgentPrefix(binary string) string { return filepath.Base(binary) + "/" }

// auditEvent is the part of an audit.k8s.io/v1 Event the benchmark reads.
type auditEvent struct {
	AuditID   string `json:"auditID"`
	Stage     string `json:"stage"`
	Verb      string `json:"verb"`
	URI       string `json:"requestURI"`
	UserAgent string `json:"userAgent"`
}

// readAudit returns the audit events from offset on whose user agent starts with prefix,
// one per request (a watch has a ResponseStarted and a ResponseComplete event).
func readAudit(path string, offset int64, prefix string) ([]auditEvent, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	defer f.Close()
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	return parseAudit(f, prefix)
}

// parseAudit reads audit events, one JSON object a line, keeping one per request.
func parseAudit(r io.Reader, prefix string) ([]auditEvent, error) {
	seen := map[string]bool{}
	var out []auditEvent
	scanner := bufio.NewScanner(r)
	scanner.Buffer(make([]byte, 1<<20), 16<<20)
	for scanner.Scan() {
		var ev auditEvent
		if err := json.Unmarshal(scanner.Bytes(), &ev); err != nil {
			continue // a line cut by a concurrent write; the next read sees it whole
		}
		if !strings.HasPrefix(ev.UserAgent, prefix) || seen[ev.AuditID] {
			continue
		}
		seen[ev.AuditID] = true
		out = append(out, ev)
	}
	return out, scanner.Err()
}

// countAudit counts the requests audited from offset on for the user agent prefix.
func countAudit(path string, offset int64, prefix string) (int, error) {
	events, err := readAudit(path, offset, prefix)
	return len(events), err
}

// countLines counts the lines of a file; a missing file has none.
func countLines(path string) (int, error) {
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return bytes.Count(data, []byte("\n")), nil
}
