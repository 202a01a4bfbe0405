package diagnose

import (
	"strings"
)

// secretNames are the Directus settings that hold credentials. SECRET itself is judged by
// DX06.
func secretNames() []string {
	return []string{"DB_PASSWORD", "REDIS_PASSWORD", "ADMIN_PASSWORD", "ADMIN_TOKEN",
		"LICENSE_KEY", "LICENSE_TOKEN", "EMAIL_SMTP_PASSWORD"}
}

// literalsCheck (DX20): credentials written in the pod template or a ConfigMap can be read by
// anyone who can read those.
func literalsCheck(c *viewCache) Check {
	return directusCheck(c, "DX20", "credentials come from Secrets", envNeeds(),
		func(*view) directusJudge { return judgeLiterals })
}

func judgeLiterals(w *workload, env *envView) []Finding {
	var evidence []string
	for _, v := range credentialVars(env) {
		if v.State == envKnown && v.Literal && v.Value != "" {
			evidence = append(evidence, v.Name+" in plain text ("+v.From+"; value not shown)")
		}
	}
	for _, name := range []string{"REDIS", "DB_CONNECTION_STRING"} {
		v := env.get(name)
		if v.State == envKnown && v.Literal && urlHasPassword(v.Value) {
			evidence = append(evidence, name+" holds a password in its URL ("+v.From+")")
		}
	}
	if len(evidence) == 0 {
		return nil
	}
	return []Finding{w.finding("DX20", Warning, "credentials sit in plain text in the pod "+
		"template or a ConfigMap", evidence, "move them to a Secret and reference them with "+
		"valueFrom.secretKeyRef (or the _FILE form on a mounted Secret)")}
}

// credentialVars are the set variables that hold credentials: the fixed names and each
// storage location's _KEY and _SECRET.
func credentialVars(env *envView) []envVar {
	var out []envVar
	for _, name := range secretNames() {
		out = append(out, env.get(name))
	}
	for _, v := range env.withPrefix("STORAGE_") {
		if strings.HasSuffix(v.Name, "_KEY") || strings.HasSuffix(v.Name, "_SECRET") {
			out = append(out, v)
		}
	}
	return out
}
