package diagnose

import (
	"fmt"
	"path"
	"strconv"
	"strings"
)

// Directus' shutdown defaults, in milliseconds: its own drain time after SIGTERM, and the
// time pm2 gives its child before SIGKILL.
const (
	defaultShutdownMillis = 1000
	defaultPM2KillMillis  = 1600
	// shutdownMargin is the seconds the grace period should leave after the drain.
	shutdownMargin = 5
)

// shutdownCheck (DX16): on scale-down the pod gets terminationGracePeriodSeconds for its
// preStop pause and Directus' drain; pm2, when it runs, must not kill Directus sooner.
func shutdownCheck(c *viewCache) Check {
	return directusCheck(c, "DX16", "the grace period covers the preStop pause and Directus' drain",
		envNeeds(), func(*view) directusJudge { return judgeShutdown })
}

const shutdownFix = "set lifecycle.preStop.sleep.seconds: 10, SERVER_SHUTDOWN_TIMEOUT=20000 and " +
	"terminationGracePeriodSeconds: 40 (at least pause + shutdown timeout + 5 s); with pm2, " +
	"PM2_KILL_TIMEOUT above SERVER_SHUTDOWN_TIMEOUT"

func judgeShutdown(w *workload, env *envView) []Finding {
	shutdown, known := millis(env, "SERVER_SHUTDOWN_TIMEOUT", defaultShutdownMillis)
	if !known {
		return nil
	}
	grace := gracePeriod(&w.Template.Spec)
	pause, hasHook := preStopPause(w.Container)
	var out []Finding
	if need := pause + (shutdown+999)/1000 + shutdownMargin; grace < need {
		out = append(out, w.finding("DX16", Warning, "the grace period is shorter than the "+
			"preStop pause plus Directus' drain: requests in flight are cut on scale-down",
			[]string{fmt.Sprintf("terminationGracePeriodSeconds %d < preStop %d s + "+
				"SERVER_SHUTDOWN_TIMEOUT %d ms + %d s", grace, pause, shutdown, shutdownMargin)},
			shutdownFix))
	}
	if pm2Kill, ok := millis(env, "PM2_KILL_TIMEOUT", defaultPM2KillMillis); ok &&
		usesPM2(w) && pm2Kill < shutdown {
		out = append(out, w.finding("DX16", Warning, "pm2 kills Directus before its drain "+
			"time is up", []string{fmt.Sprintf("PM2_KILL_TIMEOUT %d ms < SERVER_SHUTDOWN_TIMEOUT "+
			"%d ms", pm2Kill, shutdown)}, shutdownFix))
	}
	if !hasHook {
		out = append(out, w.finding("DX16", Info, "no preStop pause: Directus may stop before "+
			"the Service stops sending it requests", []string{"container " + w.Container.Name +
			": no lifecycle.preStop"}, shutdownFix))
	}
	return out
}

// millis reads a duration variable in milliseconds; known is false when it cannot be read.
func millis(env *envView, name string, def int64) (int64, bool) {
	raw, known := env.value(name, strconv.FormatInt(def, 10))
	if !known {
		return 0, false
	}
	n, err := strconv.ParseInt(strings.TrimSpace(raw), 10, 64)
	return n, err == nil
}

// usesPM2 reports whether Directus runs under pm2: the image's CMD does, as does a command
// that names pm2.
func usesPM2(w *workload) bool {
	c := w.Container
	if len(c.Command) == 0 {
		return true
	}
	return strings.Contains(strings.Join(append(c.Command, c.Args...), " "), "pm2")
}

// commandCheck (DX17): with the image's shell-form CMD, or a shell as the command, PID 1 is a
// shell that may not pass SIGTERM on, so Directus never drains and is killed at the end of
// the grace period.
func commandCheck(c *viewCache) Check {
	return directusCheck(c, "DX17", "Directus runs as PID 1 and receives SIGTERM", envNeeds(),
		func(*view) directusJudge { return judgeCommand })
}

func judgeCommand(w *workload, _ *envView) []Finding {
	c := w.Container
	var why string
	switch {
	case len(c.Command) == 0:
		why = "no command: the image's shell-form CMD runs"
	case isShell(c.Command[0]):
		why = fmt.Sprintf("command %q starts a shell", strings.Join(c.Command, " "))
	default:
		return nil
	}
	return []Finding{w.finding("DX17", Warning, "PID 1 may be a shell that does not pass "+
		"SIGTERM on: Directus is killed instead of draining on scale-down",
		[]string{why}, "set command: [node, /directus/cli.js, start] (exec form) and run "+
			"migrations in a bootstrap Job")}
}

func isShell(cmd string) bool {
	switch path.Base(cmd) {
	case "sh", "bash", "ash", "dash", "zsh":
		return true
	}
	return false
}
