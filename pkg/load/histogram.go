package load

import (
	"math"
	"math/bits"
	"sync/atomic"
	"time"
)

// subBits sets the histogram's precision: each power of two is split into 2^subBits buckets,
// so a recorded latency is known to within 1/2^subBits (0.8 %) of its value.
const subBits = 7

const (
	subCount = 1 << subBits
	// maxExponent covers latencies up to 2^40 µs (about 12 days), far past any timeout.
	maxExponent = 40
	numBuckets  = (maxExponent - subBits + 2) * subCount
)

// Histogram records latencies in microseconds in log-linear buckets. Its memory is fixed
// (about 35 KiB) whatever the number of requests, and Record is safe for concurrent use
// without locks.
type Histogram struct {
	counts [numBuckets]atomic.Int64
	total  atomic.Int64
	sum    atomic.Int64
	min    atomic.Int64
	max    atomic.Int64
}

// NewHistogram returns an empty histogram.
func NewHistogram() *Histogram {
	h := &Histogram{}
	h.min.Store(math.MaxInt64)
	return h
}

// Record adds one latency.
func (h *Histogram) Record(d time.Duration) {
	us := max(d.Microseconds(), 0)
	h.counts[bucketOf(us)].Add(1)
	h.total.Add(1)
	h.sum.Add(us)
	storeMin(&h.min, us)
	storeMax(&h.max, us)
}

// Count is the number of recorded latencies.
func (h *Histogram) Count() int64 { return h.total.Load() }

// Mean is the average recorded latency, zero when nothing was recorded.
func (h *Histogram) Mean() time.Duration {
	n := h.total.Load()
	if n == 0 {
		return 0
	}
	return time.Duration(h.sum.Load()/n) * time.Microsecond
}

// Min is the smallest recorded latency, zero when nothing was recorded.
func (h *Histogram) Min() time.Duration {
	if h.total.Load() == 0 {
		return 0
	}
	return time.Duration(h.min.Load()) * time.Microsecond
}

// Max is the largest recorded latency.
func (h *Histogram) Max() time.Duration {
	return time.Duration(h.max.Load()) * time.Microsecond
}

// Quantile returns the latency below which a fraction q (0..1) of the recorded ones fall,
// as the middle of the bucket holding it, clamped to the recorded minimum and maximum.
func (h *Histogram) Quantile(q float64) time.Duration {
	n := h.total.Load()
	if n == 0 {
		return 0
	}
	rank := max(int64(math.Ceil(q*float64(n))), 1)

	var seen int64
	for i := range h.counts {
		seen += h.counts[i].Load()
		if seen >= rank {
			us := clamp(bucketMiddle(i), h.min.Load(), h.max.Load())
			return time.Duration(us) * time.Microsecond
		}
	}
	return h.Max()
}

// bucketOf maps a value to its bucket: values below subCount have a bucket each; above,
// a bucket covers 1/subCount of the value's power of two.
func bucketOf(v int64) int {
	if v < subCount {
		return int(v)
	}
	exp := bits.Len64(uint64(v)) - 1 // v is in [2^exp, 2^(exp+1))
	if exp > maxExponent {
		return numBuckets - 1
	}
	shift := exp - subBits
	sub := int(v>>shift) - subCount
	return (shift+1)*subCount + sub
}

// bucketMiddle is the middle of the value range of bucket i.
func bucketMiddle(i int) int64 {
	if i < subCount {
		return int64(i)
	}
	shift := i/subCount - 1
	sub := int64(i%subCount + subCount)
	low := sub << shift
	width := int64(1) << shift
	return low + width/2
}

func clamp(v, lo, hi int64) int64 {
	return min(max(v, lo), hi)
}

func storeMin(a *atomic.Int64, v int64) {
	for {
		old := a.Load()
		if v >= old || a.CompareAndSwap(old, v) {
			return
		}
	}
}

func storeMax(a *atomic.Int64, v int64) {
	for {
		old := a.Load()
		if v <= old || a.CompareAndSwap(old, v) {
			return
		}
	}
}
