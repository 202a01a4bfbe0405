package diagnose

import (
	"net/url"
)

// publicURLCheck (DX21): licensing, SSO callbacks, mails and resumable uploads need the
// absolute address users reach Directus at.
func publicURLCheck(c *viewCache) Check {
	return directusCheck(c, "DX21", "PUBLIC_URL is an absolute URL", envNeeds(),
		func(*view) directusJudge { return judgePublicURL })
}

func judgePublicURL(w *workload, env *envView) []Finding {
	raw, known := env.value("PUBLIC_URL", "")
	if !known {
		return nil
	}
	u, err := url.Parse(raw)
	if err == nil && u.IsAbs() && u.Host != "" {
		return nil
	}
	return []Finding{w.finding("DX21", Warning, "PUBLIC_URL is not an absolute URL: "+
		"licensing, SSO, mails and resumable uploads build wrong links",
		[]string{describeDefault(env.get("PUBLIC_URL"), "default /")},
		"set PUBLIC_URL to the address users reach Directus at, e.g. https://cms.example.com")}
}

// proxyCheck (DX22): from Directus 12 on, IP_TRUST_PROXY defaults to false and WebSockets are
// checked against CORS_ORIGIN. Whether an Ingress sits in front is not read, so both are
// advice.
func proxyCheck(c *viewCache) Check {
	return directusCheck(c, "DX22",
		"Directus 12 sees client addresses and allows its WebSocket origins", envNeeds(),
		func(*view) directusJudge { return judgeProxy })
}

func judgeProxy(w *workload, env *envView) []Finding {
	major, ok := imageMajor(w.Container.Image)
	if !ok || major < 12 {
		return nil
	}
	var out []Finding
	limiter, _ := env.value("RATE_LIMITER_ENABLED", "false")
	if limiter == "true" && env.get("IP_TRUST_PROXY").State == envUnset {
		out = append(out, w.finding("DX22", Info, "behind an Ingress or load balancer every "+
			"client has the proxy's address: the rate limiter counts them all as one",
			[]string{"RATE_LIMITER_ENABLED=true", "IP_TRUST_PROXY unset (12.x default false)"},
			"set IP_TRUST_PROXY=true, or the proxy's addresses, when Directus runs behind one"))
	}
	ws, _ := env.value("WEBSOCKETS_ENABLED", "false")
	if ws == "true" && (major > 12 || imageMinor(w.Container.Image) >= 1) &&
		env.get("CORS_ORIGIN").State == envUnset {
		out = append(out, w.finding("DX22", Info, "WebSockets are on and CORS_ORIGIN is unset: "+
			"from 12.1 on, WebSocket connections are checked against it",
			[]string{"WEBSOCKETS_ENABLED=true", "CORS_ORIGIN unset"},
			"set CORS_ORIGIN to the origins of the apps that connect"))
	}
	return out
}
