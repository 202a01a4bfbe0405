package metrics

// sampleSet holds the sums the ratio and the recompute need, so no per-pod map is built.
type sampleSet struct {
	utilization bool
	target      int64

	// counted pods: sum of samples and of requests, and how many entered the sums
	usage, requests int64
	entries         int
	// samples of pods missing from the pod list: part of plain averages and of the count
	extraUsage int64
	extras     int
	// requests of the pods that may be filled in (Utilization targets)
	missingRequests []int64
	unreadyRequests int64
	unready         int
}

// newSampleSet checks requests (Utilization targets) and adds up the counted samples.
func newSampleSet(in PodMetricInput, g *Grouping) (*sampleSet, error) {
	set := &sampleSet{utilization: in.Utilization, target: in.Target, unready: g.Unready}
	for _, name := range g.Extra {
		set.extraUsage += in.Samples[name].Value
		set.extras++
	}
	if !in.Utilization {
		for i := range g.Pods {
			if g.Pods[i].Treatment == Counted {
				set.usage += g.Pods[i].Sample.Value
				set.entries++
			}
		}
		set.missingRequests = make([]int64, g.Missing)
		return set, nil
	}

	requests, err := Requests(in.Pods, in.Resource, in.Container, !in.Settings.PodLevelResourcesOff)
	if err != nil {
		return nil, err
	}
	set.addRequests(g, requests)
	return set, nil
}

func (s *sampleSet) addRequests(g *Grouping, requests []int64) {
	for i := range g.Pods {
		view := &g.Pods[i]
		view.Request, view.HasRequest = requests[i], true
		switch view.Treatment {
		case Counted:
			s.usage += view.Sample.Value
			s.requests += view.Request
			s.entries++
		case Missing:
			s.missingRequests = append(s.missingRequests, view.Request)
		case Unready:
			s.unreadyRequests += view.Request
		}
	}
}

// ratio computes the usage ratio over the counted samples and records the figures the HPA
// status shows.
func (s *sampleSet) ratio(c *Calculation) (float64, error) {
	if s.utilization {
		if s.requests == 0 {
			return 0, errNoMatch
		}
		c.Utilization = int32(s.usage * 100 / s.requests)
		c.Average = s.usage / int64(s.entries)
		c.Usage, c.Requests, c.Samples = s.usage, s.requests, s.entries
		return float64(c.Utilization) / float64(s.target), nil
	}

	c.Usage, c.Samples = s.usage+s.extraUsage, s.entries+s.extras
	c.Average = c.Usage / int64(c.Samples)
	return float64(c.Average) / float64(s.target), nil
}

// fill gives missing pods a value (on a scale-down their request times max(100 %, target), or
// the target average; on a scale-up nothing) and unready pods nothing when scaling up, then
// recomputes the ratio over the larger set.
func (s *sampleSet) fill(ratio float64, withUnready bool) *Fill {
	f := &Fill{}
	usage, requests := s.usage+s.extraUsage, s.requests
	if ratio != 1 {
		f.MissingFilled = len(s.missingRequests)
		usage += s.missingFill(ratio, f)
		for _, r := range s.missingRequests {
			requests += r
		}
	}
	if withUnready {
		f.UnreadyFilled = s.unready
		requests += s.unreadyRequests
	}
	f.Count = s.entries + s.extras + f.MissingFilled + f.UnreadyFilled

	if s.utilization {
		// extra samples have no request, so they stay out of the utilization
		usage -= s.extraUsage
		if requests != 0 {
			f.NewUtilization = int32(usage * 100 / requests)
		}
		f.NewRatio = float64(f.NewUtilization) / float64(s.target)
		return f
	}
	f.NewAverage = usage / int64(f.Count)
	f.NewRatio = float64(f.NewAverage) / float64(s.target)
	return f
}

// missingFill is the total value given to missing pods.
func (s *sampleSet) missingFill(ratio float64, f *Fill) int64 {
	if ratio > 1 {
		return 0
	}
	if !s.utilization {
		f.MissingValue = s.target
		return s.target * int64(len(s.missingRequests))
	}

	f.MissingPercent = max(100, s.target)
	var total int64
	for _, r := range s.missingRequests {
		total += r * f.MissingPercent / 100
	}
	return total
}
