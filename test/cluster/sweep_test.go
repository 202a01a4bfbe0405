package cluster

import (
	"os"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOwnerPID(t *testing.T) {
	tests := map[string]struct {
		pid int
		ok  bool
	}{
		"kd-e2e-4242-a1b2c3": {pid: 4242, ok: true},
		"kd-e2e-4242":        {},
		"kd-e2e-x-a1b2c3":    {},
		"kd-e2e-0-a1b2c3":    {},
		"kwok":               {},
		"other-4242-a1b2c3":  {},
	}
	for name, tc := range tests {
		pid, ok := ownerPID(name)
		assert.Equal(t, tc.ok, ok, name)
		assert.Equal(t, tc.pid, pid, name)
	}
}

func TestStartedFrom(t *testing.T) {
	dir := "/tmp/e2e/clusters/kd-e2e-1-abc"
	assert.True(t, startedFrom([]byte(dir+"/bin/etcd\x00--name=x\x00"), dir))
	assert.True(t, startedFrom([]byte(dir+"/bin/etcd"), dir+"/"))
	assert.False(t, startedFrom([]byte(dir+"-other/bin/etcd\x00"), dir))
	assert.False(t, startedFrom([]byte("/usr/bin/etcd\x00"+dir+"/bin/etcd"), dir))
	assert.False(t, startedFrom(nil, dir))
}

func TestProcessGoneAndAlive(t *testing.T) {
	assert.False(t, processGone(os.Getpid()))
	assert.True(t, processAlive(os.Getpid()))

	cmd := exec.Command("true")
	require.NoError(t, cmd.Run())
	assert.True(t, processGone(cmd.Process.Pid))
	assert.False(t, processAlive(cmd.Process.Pid))
}

func TestSweepStaleLeavesLiveAndForeignClustersAlone(t *testing.T) {
	root := t.TempDir()
	live := root + "/clusters/" + namePrefix + "1-aaaaaa" // pid 1 always lives
	foreign := root + "/clusters/someone-else"
	dead := root + "/clusters/" + namePrefix + "999999999-bbbbbb"
	for _, dir := range []string{live, foreign, dead + "/pids"} {
		require.NoError(t, os.MkdirAll(dir, 0o755))
	}
	require.NoError(t, os.WriteFile(dead+"/pids/etcd.pid", []byte("1"), 0o644))

	sweepStale(t.Context(), root, t.Logf)

	assert.DirExists(t, live)
	assert.DirExists(t, foreign)
	assert.NoDirExists(t, dead)
}
