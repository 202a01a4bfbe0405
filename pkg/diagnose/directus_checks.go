package diagnose

// directusChecks judge the Directus settings that break with more than one replica (the DX
// checks). Each check lives in its own directus_*.go file and is appended here.
//
// Three DX items are judged elsewhere: DX10 (requests of every container) by the requests
// checks, DX12 (the custom metric is served) by the metrics pipeline checks, and DX28 (a
// disruption budget that lets drains through) by the practice check HPA-CFG-009. DX27 (the
// Secret changed since the pods started) and the Ingress half of DX22 are not judged: the
// doctor reads no Secret data and no Ingress.
func directusChecks() []Check {
	c := &viewCache{}
	return []Check{
		dbClientCheck(c),
		redisCheck(c),
		cacheStoreCheck(c),
		syncStoreCheck(c),
		rateLimiterStoreCheck(c),
		secretCheck(c),
		storageCheck(c),
		dependenciesCheck(c),
		bootstrapCheck(c),
		replicasOwnerCheck(c),
		specDriftCheck(c),
		memoryCheck(c),
		probesCheck(c),
		shutdownCheck(c),
		commandCheck(c),
		securityCheck(c),
		serviceLinksCheck(c),
		literalsCheck(c),
		publicURLCheck(c),
		proxyCheck(c),
		imageCheck(c),
		connectionsCheck(c),
		postgresDataCheck(c),
		selectorCheck(c),
		topologyCheck(c),
		sharedRedisCheck(c),
		pm2Check(c),
		keyCheck(c),
		bitnamiCheck(c),
	}
}
