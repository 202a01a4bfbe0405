package metrics

import "fmt"

// Combination is the step that turns per-metric proposals into one: the largest valid
// proposal wins, and invalid metrics may stop the HPA from scaling.
type Combination struct {
	// Proposal is the winning proposal; Winner indexes spec.metrics (-1 when none).
	Proposal int32 `json:"proposal"`
	Winner   int   `json:"winner"`
	// Invalid metrics out of Total; FirstInvalid indexes the first (-1 when none).
	Invalid      int `json:"invalid"`
	Total        int `json:"total"`
	FirstInvalid int `json:"firstInvalid"`
	// Error is the FailedComputeMetricsReplicas message when any metric is invalid.
	Error string `json:"error,omitempty"`
	// Blocked is set when invalid metrics stop scaling altogether: all are invalid, or the
	// valid ones would scale down. BlockReason says which.
	Blocked     bool   `json:"blocked"`
	BlockReason string `json:"blockReason,omitempty"`
	// Unobserved counts metrics whose values were not gathered; they are left out of the
	// combination, so the result is uncertain when it is not zero.
	Unobserved int `json:"unobserved,omitempty"`
}

// Combine applies the controller's rule to the metric results: the largest proposal wins (on a
// tie the first); with every metric invalid, or some invalid and the winner below
// specReplicas, nothing scales. Metrics that were not observed are skipped.
func Combine(results []MetricResult, specReplicas int32) Combination {
	c := Combination{Winner: -1, FirstInvalid: -1}
	var firstError string
	for i := range results {
		r := &results[i]
		if r.NotObserved {
			c.Unobserved++
			continue
		}
		c.Total++
		if !r.Valid {
			if c.Invalid == 0 {
				c.FirstInvalid, firstError = i, r.Error
			}
			c.Invalid++
			continue
		}
		if c.Proposal == 0 || r.Proposal > c.Proposal {
			c.Proposal, c.Winner = r.Proposal, i
		}
	}

	if c.Invalid > 0 {
		c.Error = fmt.Sprintf("invalid metrics (%d invalid out of %d), first error is: %s",
			c.Invalid, len(results)-c.Unobserved, firstError)
	}
	switch {
	case c.Total > 0 && c.Invalid >= c.Total:
		c.Blocked, c.BlockReason = true, "every metric is invalid"
	case c.Invalid > 0 && c.Proposal < specReplicas:
		c.Blocked = true
		c.BlockReason = "some metrics are invalid and the valid ones would scale down"
	}
	return c
}
