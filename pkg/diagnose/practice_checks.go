package diagnose

// practiceChecks judge the HPA and workload against autoscaling practice: replica bounds,
// targets, behavior, probes, shutdown, disruption budgets and capacity. Each check lives in its
// own practice_*.go file and is appended here.
func practiceChecks() []Check {
	c := &viewCache{}
	return []Check{
		autoscaledCheck(c),
		minReplicasCheck(),
		maxReplicasCheck(),
		targetsCheck(),
		behaviorCheck(),
		resourcesCheck(),
		probesPracticeCheck(),
		shutdownPracticeCheck(),
		pdbCheck(),
		capacityCheck(c),
	}
}
