package load

import (
	"math/rand/v2"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBucketRoundTrip(t *testing.T) {
	for _, v := range []int64{0, 1, 127, 128, 129, 255, 256, 1000, 20_000, 1 << 30, 1<<40 - 1} {
		mid := bucketMiddle(bucketOf(v))
		tolerance := max(float64(v)/subCount, 1)
		assert.InDelta(t, float64(v), float64(mid), tolerance, "value %d", v)
	}
	assert.Equal(t, numBuckets-1, bucketOf(1<<50), "values past the range go to the last bucket")
}

func TestBucketsAreOrdered(t *testing.T) {
	prev := -1
	for v := int64(0); v < 1<<20; v += 7 {
		b := bucketOf(v)
		require.GreaterOrEqual(t, b, prev, "value %d", v)
		prev = b
	}
}

// TestQuantilesMatchSortedSample compares the histogram with exact quantiles of a sorted
// sample of a wide log-normal-like spread: every quantile must be within 1 %.
func TestQuantilesMatchSortedSample(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	h := NewHistogram()
	sample := make([]time.Duration, 100_000)
	for i := range sample {
		d := time.Duration(1000+rng.ExpFloat64()*20_000) * time.Microsecond
		sample[i] = d.Truncate(time.Microsecond)
		h.Record(sample[i])
	}
	sort.Slice(sample, func(i, j int) bool { return sample[i] < sample[j] })

	for _, q := range []float64{0.5, 0.9, 0.99, 0.999} {
		exact := sample[int(q*float64(len(sample)))-1]
		got := h.Quantile(q)
		assert.InEpsilon(t, exact.Seconds(), got.Seconds(), 0.01, "q=%v", q)
	}
	assert.Equal(t, sample[0], h.Min())
	assert.Equal(t, sample[len(sample)-1], h.Max())
	assert.EqualValues(t, len(sample), h.Count())
}

func TestEmptyHistogram(t *testing.T) {
	h := NewHistogram()
	assert.Zero(t, h.Quantile(0.5))
	assert.Zero(t, h.Min())
	assert.Zero(t, h.Mean())
}
