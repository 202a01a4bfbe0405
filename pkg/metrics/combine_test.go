package metrics

import "testing"

func valid(p int32) MetricResult { return MetricResult{Valid: true, Proposal: p} }

func invalid(err string) MetricResult { return MetricResult{Error: err} }

func TestCombine(t *testing.T) {
	cases := []struct {
		name        string
		results     []MetricResult
		spec        int32
		proposal    int32
		winner      int
		blocked     bool
		wantError   string
		unobserved  int
		wantInvalid int
	}{
		{"largest wins", []MetricResult{valid(3), valid(5), valid(4)}, 3, 5, 1, false, "",
			0, 0},
		{"tie goes to the first", []MetricResult{valid(5), valid(5)}, 3, 5, 0, false, "", 0,
			0},
		// the rule replaces a zero winner, so with all zeros the last one wins
		{"all zero: the last zero wins", []MetricResult{valid(0), valid(0)}, 3, 0, 1, false,
			"", 0, 0},
		{"one invalid, the other scales up: proceed", []MetricResult{invalid("e1"),
			valid(6)}, 4, 6, 1, false,
			"invalid metrics (1 invalid out of 2), first error is: e1", 0, 1},
		{"one invalid, the other keeps current: proceed", []MetricResult{valid(4),
			invalid("e1")}, 4, 4, 0, false,
			"invalid metrics (1 invalid out of 2), first error is: e1", 0, 1},
		{"one invalid, the other scales down: blocked", []MetricResult{valid(2),
			invalid("e1"), invalid("e2")}, 4, 2, 0, true,
			"invalid metrics (2 invalid out of 3), first error is: e1", 0, 2},
		{"all invalid: blocked", []MetricResult{invalid("e1"), invalid("e2")}, 4, 0, -1, true,
			"invalid metrics (2 invalid out of 2), first error is: e1", 0, 2},
		{"unobserved metrics are left out", []MetricResult{
			{NotObserved: true, Error: "x"}, valid(3)}, 4, 3, 1, false, "", 1, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := Combine(tc.results, tc.spec)
			if c.Proposal != tc.proposal || c.Winner != tc.winner || c.Blocked != tc.blocked ||
				c.Error != tc.wantError || c.Unobserved != tc.unobserved ||
				c.Invalid != tc.wantInvalid {
				t.Fatalf("got %+v", c)
			}
		})
	}
}
