package cluster

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// sweepStale removes the clusters that test binaries which died without cleaning up (killed,
// or timed out by go test) left under root. A cluster's name carries its owner's pid; while
// that process lives, its cluster is left alone. Only processes that run a binary inside the
// stale cluster's directory are killed.
func sweepStale(ctx context.Context, root string, logf func(string, ...any)) {
	entries, err := os.ReadDir(filepath.Join(root, "clusters"))
	if err != nil {
		return
	}
	for _, e := range entries {
		pid, ok := ownerPID(e.Name())
		if !ok || (pid != os.Getpid() && processAlive(pid)) {
			continue
		}
		if ctx.Err() != nil {
			return
		}

		dir := filepath.Join(root, "clusters", e.Name())
		killed := killStartedFrom(dir)
		if err := os.RemoveAll(dir); err != nil {
			logf("e2e: removing stale cluster %s: %v", e.Name(), err)
			continue
		}
		config := filepath.Join(root, "configs", e.Name()+".yaml")
		_ = os.Remove(config)
		_ = os.Remove(auditPolicyPath(config))
		logf("e2e: removed cluster %s left by process %d (%d processes stopped)",
			e.Name(), pid, killed)
	}
}

// ownerPID returns the pid in a cluster name made by newCluster ("kd-e2e-<pid>-<suffix>").
func ownerPID(name string) (int, bool) {
	rest, ok := strings.CutPrefix(name, namePrefix)
	if !ok {
		return 0, false
	}
	digits, _, ok := strings.Cut(rest, "-")
	if !ok {
		return 0, false
	}
	pid, err := strconv.Atoi(digits)
	return pid, err == nil && pid > 0
}

// processAlive reports whether a process with this pid exists.
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || err == syscall.EPERM
}

// killStartedFrom kills the processes recorded in dir/pids whose binary lies inside dir and
// returns how many it signalled.
func killStartedFrom(dir string) int {
	pidFiles, _ := filepath.Glob(filepath.Join(dir, "pids", "*.pid"))
	killed := 0
	for _, f := range pidFiles {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
		if err != nil {
			continue
		}
		cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		if err != nil || !startedFrom(cmdline, dir) {
			continue
		}
		if syscall.Kill(pid, syscall.SIGKILL) == nil {
			killed++
		}
	}
	return killed
}
