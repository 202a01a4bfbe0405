package diagnose

import (
	"strings"
)

// The in-process state of Directus: with more than one replica each of these must live in
// the shared database or in Redis, or every pod keeps its own copy.

// dbClientCheck (DX01): SQLite is a file inside one pod; replicas cannot share it.
func dbClientCheck(c *viewCache) Check {
	return directusCheck(c, "DX01", "Directus uses a database all replicas share", envNeeds(),
		func(*view) directusJudge { return judgeDBClient })
}

func judgeDBClient(w *workload, env *envView) []Finding {
	client := env.get("DB_CLIENT")
	value, known := env.value("DB_CLIENT", "sqlite3")
	if !w.several() || !known || (value != "sqlite3" && value != "sqlite") {
		return nil
	}
	return []Finding{w.finding("DX01", Error,
		"Directus keeps its data in SQLite, a file each replica has on its own",
		[]string{w.replicaRange(), describeDefault(client, "image default sqlite3")},
		"set DB_CLIENT=pg and the DB_HOST, DB_PORT, DB_DATABASE, DB_USER settings of a shared "+
			"PostgreSQL (DB_PASSWORD from a Secret), then roll the workload")}
}

// redisCheck (DX02): without Redis there is no bus between replicas, so schema and
// permission caches go stale on every pod but the one that changed them.
func redisCheck(c *viewCache) Check {
	return directusCheck(c, "DX02", "Directus replicas share a Redis", envNeeds(),
		func(snap *view) directusJudge {
			return func(w *workload, env *envView) []Finding { return judgeRedis(snap, w, env) }
		})
}

func judgeRedis(snap *view, w *workload, env *envView) []Finding {
	if !w.several() {
		return nil
	}
	enabled, _ := env.value("REDIS_ENABLED", "")
	if enabled == "false" {
		return []Finding{w.finding("DX02", Error, "Redis is switched off with REDIS_ENABLED=false "+
			"while Directus runs several replicas", []string{w.replicaRange(),
			env.get("REDIS_ENABLED").describe()}, redisFix)}
	}
	if redisMaybeConfigured(env) {
		return nil
	}

	evidence := []string{w.replicaRange(), "REDIS, REDIS_HOST and every REDIS_* variable unset",
		"sources checked: " + strings.Join(env.checked(), ", ")}
	evidence = append(evidence, redisCandidates(snap, w.Meta.Namespace)...)
	return []Finding{w.finding("DX02", Error, "Directus runs several replicas without Redis: "+
		"schema, permission and cache changes stay on the pod that made them", evidence, redisFix)}
}

const redisFix = "point Directus at a shared Redis (REDIS=redis://<service>:6379, password from " +
	"a Secret as REDIS_PASSWORD) and set CACHE_STORE=redis and SYNCHRONIZATION_STORE=redis, " +
	"then roll the workload"

// redisMaybeConfigured reports whether any variable that turns Redis on is, or may be, set.
func redisMaybeConfigured(env *envView) bool {
	if env.get("REDIS").State != envUnset {
		return true
	}
	for _, v := range env.withPrefix("REDIS_") {
		if v.Name != "REDIS_ENABLED" {
			return true
		}
	}
	return env.get("REDIS_HOST").State == envMaybe
}

// cacheStoreCheck (DX03): CACHE_STORE also backs the schema and lock caches, even with the
// data cache off.
func cacheStoreCheck(c *viewCache) Check {
	return directusCheck(c, "DX03", "Directus caches live in Redis", envNeeds(),
		func(*view) directusJudge {
			return storeJudge("DX03", "CACHE_STORE", Error, "", "Directus keeps its schema, "+
				"permission and data caches in each pod's memory (CACHE_STORE is not redis), "+
				"also when CACHE_ENABLED is false")
		})
}

// syncStoreCheck (DX04): with a memory store every pod runs every scheduled flow and job.
func syncStoreCheck(c *viewCache) Check {
	return directusCheck(c, "DX04", "Directus synchronization lives in Redis", envNeeds(),
		func(*view) directusJudge {
			return storeJudge("DX04", "SYNCHRONIZATION_STORE", Warning, "", "Directus "+
				"synchronizes in each pod's memory: every replica runs every scheduled flow "+
				"and clean-up job")
		})
}

// rateLimiterStoreCheck (DX05): with a memory store each pod counts its own requests.
func rateLimiterStoreCheck(c *viewCache) Check {
	return directusCheck(c, "DX05", "Directus rate limits are counted in Redis", envNeeds(),
		func(*view) directusJudge {
			return storeJudge("DX05", "RATE_LIMITER_STORE", Warning, "RATE_LIMITER_ENABLED",
				"the rate limiter counts per pod: the effective limit is the configured one "+
					"times the replica count")
		})
}

// storeJudge reports a store variable other than redis on a workload with several replicas;
// when gate is set, only if that variable is "true".
func storeJudge(id, name string, sev Severity, gate, msg string) directusJudge {
	return func(w *workload, env *envView) []Finding {
		if !w.several() {
			return nil
		}
		evidence := []string{w.replicaRange()}
		if gate != "" {
			if on, _ := env.value(gate, "false"); on != "true" {
				return nil
			}
			evidence = append(evidence, env.get(gate).describe())
		}
		value, known := env.value(name, "memory")
		if !known || value == "redis" {
			return nil
		}
		evidence = append(evidence, describeDefault(env.get(name), "default memory"))
		return []Finding{w.finding(id, sev, msg, evidence,
			"set "+name+"=redis with Redis configured (REDIS=redis://<service>:6379), then "+
				"roll the workload")}
	}
}

// describeDefault renders a variable, naming the default Directus uses when it is unset.
func describeDefault(v envVar, def string) string {
	if v.State == envUnset {
		return v.Name + " unset (" + def + ")"
	}
	return v.describe()
}
