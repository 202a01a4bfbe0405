package diagnose

// pipelineChecks judge the metrics APIs every HPA depends on; they run first because a broken
// pipeline explains the symptoms other checks would see.
func pipelineChecks() []Check {
	return []Check{resourceAPICheck(), unusedAPIsCheck(), customAPICheck(), externalAPICheck(),
		customServedCheck()}
}

// targetChecks judge each HPA's scale target and the pods its selector picks.
func targetChecks() []Check {
	return []Check{targetExistsCheck(), targetSelectorCheck(), sharedPodsCheck(),
		scaledToZeroCheck(), foreignPodsCheck()}
}

// requestChecks judge the resource requests utilization targets divide by.
func requestChecks() []Check {
	return []Check{requestsTemplateCheck(), requestsPodsCheck(), podMetricsCheck()}
}

// statusChecks judge the conditions, events and replica history the controller recorded.
func statusChecks() []Check {
	return []Check{scalingActiveCheck(), ableToScaleCheck(), noStatusCheck(),
		desiredDiffersCheck(), pinnedAtMaxCheck(), warningEventsCheck()}
}

// flappingChecks judge how often the replica count changed direction.
func flappingChecks() []Check {
	return []Check{flappingCheck()}
}
