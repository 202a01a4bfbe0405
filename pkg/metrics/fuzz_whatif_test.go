package metrics

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
)

// FuzzWhatIf applies arbitrary what-if inputs, the values explain's --cpu, --memory, --usage
// and --replicas accept (any non-negative percentage and quantity), to inputs built from the
// fuzz data, and checks the decision as FuzzCalculator does.
func FuzzWhatIf(f *testing.F) {
	f.Add([]byte("\x04\x02\x0a\x46\x03\x00\x01"), int64(150), int64(90), int64(250), int32(3))
	f.Add([]byte{}, int64(0), int64(0), int64(0), int32(0))
	f.Add([]byte("\xff\xff\xff\xff"), int64(1)<<62, int64(1)<<62, int64(1)<<62, int32(1<<31-1))
	f.Fuzz(func(t *testing.T, data []byte, cpu, memory, usage int64, replicas int32) {
		if cpu < 0 || memory < 0 || usage < 0 || replicas < 0 {
			return // refused by the flags
		}
		in, specValid := fuzzInput(&fuzzReader{data: data})
		w := WhatIf{
			Utilization: map[corev1.ResourceName]int64{corev1.ResourceCPU: cpu,
				corev1.ResourceMemory: memory},
			Replicas: &replicas,
		}
		if len(in.Pods) > 0 {
			w.CPU = map[string]int64{in.Pods[0].Name: usage}
		}
		applied, err := w.Apply(in)
		if err != nil {
			return // a pod the HPA does not count: refused with a message
		}
		checkDecision(t, applied, Decide(applied), specValid)
	})
}
