package diagnose

import (
	"fmt"
	"path"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// Directus' health endpoints: ping answers while the HTTP server runs; health checks the
// dependencies and answers 503 when one fails.
const (
	pathPing   = "/server/ping"
	pathHealth = "/server/health"
)

// probesCheck (DX15): probes that pass on the admin redirect keep broken pods in service;
// probes on the dependency health check take every pod out, or restart every pod, at once.
func probesCheck(c *viewCache) Check {
	return directusCheck(c, "DX15", "Directus probes use the right endpoints", envNeeds(),
		func(*view) directusJudge { return judgeProbes })
}

const probesFix = "use httpGet " + pathPing + " on the http port for liveness, readiness and " +
	"startup (startup with room for a slow first schema load, e.g. periodSeconds: 5, " +
	"failureThreshold: 60); if readiness should follow the dependencies, use " + pathHealth +
	" with HEALTHCHECK_SERVICES=database,redis and a short HEALTHCHECK_CACHE_TTL, knowing that " +
	"a shared outage then takes every pod out at once"

func judgeProbes(w *workload, env *envView) []Finding {
	c := w.Container
	var out []Finding
	if c.ReadinessProbe == nil {
		out = append(out, w.finding("DX15", Warning, "no readiness probe: pods receive "+
			"traffic and count as Ready before Directus can serve",
			[]string{"readinessProbe missing"}, probesFix))
	}
	out = append(out, judgeProbePath(w, "readinessProbe", c.ReadinessProbe, env)...)
	out = append(out, judgeProbePath(w, "livenessProbe", c.LivenessProbe, env)...)
	if c.StartupProbe == nil {
		out = append(out, w.finding("DX15", Info, "no startup probe: a slow first schema load "+
			"can be killed by the liveness probe before Directus is up",
			[]string{"startupProbe missing"}, probesFix))
	}
	return out
}

func judgeProbePath(w *workload, which string, p *corev1.Probe, env *envView) []Finding {
	if p == nil || p.HTTPGet == nil {
		return nil
	}
	where := describeProbe(which, p)
	switch probePath(p) {
	case "/":
		return []Finding{w.finding("DX15", Warning, which+" on /: it succeeds on the redirect "+
			"to the admin app without touching the API", []string{where}, probesFix)}
	case pathHealth:
		if which == "livenessProbe" {
			return []Finding{w.finding("DX15", Warning, "livenessProbe on "+pathHealth+": a "+
				"database or Redis blip restarts every pod together", []string{where}, probesFix)}
		}
		return judgeHealthReadiness(w, where, env)
	}
	return nil
}

// judgeHealthReadiness warns when the dependency-aware readiness probe checks more than the
// database and Redis, in particular an email transport that is not configured.
func judgeHealthReadiness(w *workload, where string, env *envView) []Finding {
	services, known := env.value("HEALTHCHECK_SERVICES", "")
	if !known {
		return nil
	}
	noMail := mailCheckFails(env)
	checksMail := services == "" || strings.Contains(services, "email")
	if services != "" && !(checksMail && noMail) {
		return nil
	}

	evidence := []string{where, describeDefault(env.get("HEALTHCHECK_SERVICES"),
		"checks database, redis, storage and email")}
	if checksMail && noMail {
		evidence = append(evidence, "no email transport: EMAIL_TRANSPORT unset and "+
			"EMAIL_VERIFY_SETUP not false")
	}
	return []Finding{w.finding("DX15", Warning, "readinessProbe on "+pathHealth+" checks "+
		"every dependency: one failing check marks every pod unready at once and leaves "+
		"the HPA without pods to measure", evidence, probesFix)}
}

// mailCheckFails reports whether the health check's email test fails: no transport is
// configured and the setup check is not switched off.
func mailCheckFails(env *envView) bool {
	verify, _ := env.value("EMAIL_VERIFY_SETUP", "true")
	return env.get("EMAIL_TRANSPORT").State == envUnset && verify != "false"
}

func probePath(p *corev1.Probe) string {
	raw, _, _ := strings.Cut(p.HTTPGet.Path, "?")
	if raw == "" {
		return "/"
	}
	clean := path.Clean("/" + raw)
	return clean
}

func describeProbe(which string, p *corev1.Probe) string {
	return fmt.Sprintf("%s httpGet path %s port %s", which, probePath(p), p.HTTPGet.Port.String())
}
