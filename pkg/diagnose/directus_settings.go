package diagnose

import (
	"fmt"
	"strconv"
	"strings"
)

// pm2Check (DX32): several pm2 processes in one pod multiply the database pool and hide
// per-process CPU from the HPA, which sees one pod.
func pm2Check(c *viewCache) Check {
	return directusCheck(c, "DX32", "one Directus process per pod", envNeeds(),
		func(*view) directusJudge { return judgePM2 })
}

func judgePM2(w *workload, env *envView) []Finding {
	raw, known := env.value("PM2_INSTANCES", "1")
	n, err := strconv.Atoi(strings.TrimSpace(raw))
	if !known || (err == nil && n <= 1) {
		return nil
	}
	return []Finding{w.finding("DX32", Info, "pm2 runs several Directus processes per pod: "+
		"each holds its own database pool, and the HPA sees their CPU as one pod's",
		[]string{env.get("PM2_INSTANCES").describe()}, "set PM2_INSTANCES=1 and let the HPA "+
			"add pods instead")}
}

// keyCheck (DX33): KEY is no longer read by Directus; setting it does no harm.
func keyCheck(c *viewCache) Check {
	return directusCheck(c, "DX33", "no deprecated KEY", envNeeds(),
		func(*view) directusJudge { return judgeKey })
}

func judgeKey(w *workload, env *envView) []Finding {
	key := env.get("KEY")
	if !key.set() {
		return nil
	}
	return []Finding{w.finding("DX33", Info, "KEY is set: Directus no longer reads it",
		[]string{fmt.Sprintf("KEY from %s", key.From)}, "remove KEY; SECRET is the setting "+
			"that signs tokens")}
}
