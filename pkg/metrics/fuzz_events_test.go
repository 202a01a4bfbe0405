package metrics

import (
	"fmt"
	"testing"
)

// FuzzParseRescale decodes arbitrary event messages as SuccessfulRescale messages: nothing
// panics, sizes are never negative, and what was read writes back to a message that reads
// the same.
func FuzzParseRescale(f *testing.F) {
	f.Add("New size: 4; reason: cpu resource utilization (percentage of request) above target")
	f.Add("(combined from similar events): New size: 2; reason: All metrics below target")
	f.Add("New size: -1; reason: x")
	f.Add("New size: 99999999999; reason: x")
	f.Add("New size: 3; reason: ")
	f.Add("New size: ; reason: memory above target")
	f.Add("")
	f.Fuzz(func(t *testing.T, message string) {
		size, reason, ok := ParseRescale(message)
		if !ok {
			return
		}
		if size < 0 {
			t.Fatalf("%q: size %d", message, size)
		}
		again := fmt.Sprintf("New size: %d; reason: %s", size, reason)
		size2, reason2, ok2 := ParseRescale(again)
		if !ok2 || size2 != size || reason2 != reason {
			t.Fatalf("%q read as (%d, %q) writes back as %q, read as (%d, %q, %v)", message,
				size, reason, again, size2, reason2, ok2)
		}
	})
}
