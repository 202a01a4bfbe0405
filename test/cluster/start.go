package cluster

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// serviceCIDR gives Services cluster IPs in the loopback range. Nothing proxies cluster IPs
// here, but the aggregator dials one when an APIService points at a ClusterIP Service, and
// with these addresses such a connection can only ever reach this machine.
const serviceCIDR = "127.96.0.0/20"

// namePrefix starts the name of every cluster this harness creates; the owner's process id
// follows, so a later run can tell which clusters were left behind by a dead test binary.
const namePrefix = "kd-e2e-"

// start finds the tools, creates and configures a cluster, and waits until it is ready.
func start(logf func(string, ...any), opts Options) (*Cluster, error) {
	begin := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), toolsTimeout)
	defer cancel()

	tl, err := findTools(ctx)
	if err != nil {
		return nil, err
	}
	logf("e2e: tools ready in %s (%s)", time.Since(begin).Round(time.Second), tl.BinDir)

	ctx, cancel = context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	c, err := create(ctx, tl, opts, logf)
	if err != nil && ctx.Err() == nil {
		// Another process may have bound one of the chosen ports in the meantime.
		first, _, _ := strings.Cut(err.Error(), "\n")
		logf("e2e: retrying with other ports after: %s", first)
		c, err = create(ctx, tl, opts, logf)
	}
	if err != nil {
		return nil, err
	}

	if err := c.configure(ctx, logf); err != nil {
		err = fmt.Errorf("configuring cluster %s: %w%s", c.Name, err, c.logTails())
		c.deleteAfterFailure(logf)
		return nil, err
	}
	c.StartTime = time.Since(begin)
	logf("e2e: cluster %s ready in %s (kubeconfig %s)", c.Name, c.StartTime.Round(time.Second),
		c.Kubeconfig)
	return c, nil
}

// create renders the configuration and runs kwokctl create cluster.
func create(ctx context.Context, tl tools, opts Options,
	logf func(string, ...any)) (*Cluster, error) {
	root := filepath.Join(os.TempDir(), "kubectl-directus-e2e")
	sweepStale(ctx, root, logf)

	c, err := newCluster(root, tl)
	if err != nil {
		return nil, err
	}
	if err := c.writeConfig(tl, opts); err != nil {
		return nil, err
	}

	began := time.Now()
	_, err = c.kwokctl(ctx, "create", "cluster", "--config", c.configPath,
		"--timeout", "4m", "--wait", "2m")
	if err != nil {
		err = fmt.Errorf("creating cluster %s: %w%s", c.Name, err, c.logTails())
		c.deleteAfterFailure(logf)
		return nil, err
	}
	logf("e2e: kwokctl created cluster %s in %s", c.Name, time.Since(began).Round(time.Second))

	if err := c.connect(); err != nil {
		c.deleteAfterFailure(logf)
		return nil, err
	}
	return c, nil
}

// newCluster names a new cluster after this process and fills in its paths.
func newCluster(root string, tl tools) (*Cluster, error) {
	suffix := make([]byte, 3)
	if _, err := rand.Read(suffix); err != nil {
		return nil, fmt.Errorf("naming the cluster: %w", err)
	}
	name := fmt.Sprintf("%s%d-%s", namePrefix, os.Getpid(), hex.EncodeToString(suffix))
	workdir := filepath.Join(root, "clusters", name)

	return &Cluster{
		Name:       name,
		Kubeconfig: filepath.Join(workdir, "kubeconfig.yaml"),
		BinDir:     tl.BinDir,
		Workdir:    workdir,
		root:       root,
		configPath: filepath.Join(root, "configs", name+".yaml"),
		manifests:  tl.ManifestDir,
	}, nil
}

// writeConfig renders the kwokctl configuration with fresh ports into c.configPath, and the
// audit policy of opts, if any, next to it.
func (c *Cluster) writeConfig(tl tools, opts Options) error {
	p, err := newPorts()
	if err != nil {
		return err
	}
	c.ports = p
	if err := os.MkdirAll(filepath.Dir(c.configPath), 0o755); err != nil {
		return fmt.Errorf("creating the configuration directory: %w", err)
	}

	pl := plan{
		BinDir: tl.BinDir, ManifestDir: tl.ManifestDir, KubeVersion: tl.KubeVersion, Ports: p,
		ExtraAPIArgs:       []extraArg{{Key: "service-cluster-ip-range", Value: serviceCIDR}},
		ExtraComponentArgs: map[string][]extraArg{},
		PodParallelism:     opts.PodParallelism,
	}
	for name, args := range opts.ComponentArgs {
		pl.ExtraComponentArgs[name] = sortedArgs(args)
	}
	if opts.AuditPolicy != "" {
		pl.AuditPolicy = auditPolicyPath(c.configPath)
		if err := os.WriteFile(pl.AuditPolicy, []byte(opts.AuditPolicy), 0o644); err != nil {
			return fmt.Errorf("writing the audit policy: %w", err)
		}
		c.AuditLog = filepath.Join(c.Workdir, "logs", "audit.log")
	}

	data, err := renderConfig(pl)
	if err != nil {
		return err
	}
	return os.WriteFile(c.configPath, data, 0o644)
}

// auditPolicyPath is where the audit policy of the cluster configured at configPath goes.
func auditPolicyPath(configPath string) string {
	return strings.TrimSuffix(configPath, ".yaml") + "-audit-policy.yaml"
}

// sortedArgs turns a key/value map into extra arguments sorted by key.
func sortedArgs(args map[string]string) []extraArg {
	out := make([]extraArg, 0, len(args))
	for key, value := range args {
		out = append(out, extraArg{Key: key, Value: value})
	}
	slices.SortFunc(out, func(a, b extraArg) int { return strings.Compare(a.Key, b.Key) })
	return out
}

// kwokctl runs kwokctl for this cluster and returns its output. kwokctl reads KWOK_*
// variables as defaults for its options, so the environment keeps none but KWOK_WORKDIR.
func (c *Cluster) kwokctl(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, filepath.Join(c.BinDir, "kwokctl"),
		append([]string{"--name", c.Name}, args...)...)
	cmd.Env = append(withoutEnv(os.Environ(), "KWOK_", "KUBECONFIG="), "KWOK_WORKDIR="+c.root)

	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("kwokctl %s: %w\n%s", strings.Join(args, " "), err,
			out.String())
	}
	return out.String(), nil
}

// withoutEnv drops the variables whose NAME=value starts with any of prefixes.
func withoutEnv(env []string, prefixes ...string) []string {
	var out []string
	for _, kv := range env {
		keep := true
		for _, p := range prefixes {
			if strings.HasPrefix(kv, p) {
				keep = false
				break
			}
		}
		if keep {
			out = append(out, kv)
		}
	}
	return out
}

// delete stops every process of the cluster and removes its files.
func (c *Cluster) delete(ctx context.Context) error {
	_, err := c.kwokctl(ctx, "delete", "cluster")
	_ = os.Remove(c.configPath)
	_ = os.Remove(auditPolicyPath(c.configPath))
	return err
}

// deleteAfterFailure deletes a cluster that failed to come up, logging what goes wrong.
func (c *Cluster) deleteAfterFailure(logf func(string, ...any)) {
	ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
	defer cancel()
	if err := c.delete(ctx); err != nil {
		logf("e2e: deleting cluster %s after a failed start: %v", c.Name, err)
	}
}

// logTails returns the last lines of each component's log, to explain a failed start.
func (c *Cluster) logTails() string {
	logs, _ := filepath.Glob(filepath.Join(c.Workdir, "logs", "*.log"))
	var b strings.Builder
	for _, path := range logs {
		data, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		lines := strings.Split(strings.TrimSpace(string(data)), "\n")
		lines = lines[max(0, len(lines)-15):]
		fmt.Fprintf(&b, "\n--- %s (last lines)\n%s", filepath.Base(path), strings.Join(lines, "\n"))
	}
	return b.String()
}
