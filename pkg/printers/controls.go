package printers

import (
	"fmt"
	"io"
	"strings"
)

// terminalSafe wraps w so that control characters coming from cluster objects (an event
// message, an annotation, a container name) reach the terminal as visible escapes like
// \x1b instead of moving the cursor, recolouring or clearing the user's screen. Newlines and
// tabs, which the printers themselves write, pass through.
func terminalSafe(w io.Writer) io.Writer {
	return controlEscaper{w: w}
}

type controlEscaper struct {
	w io.Writer
}

// Write escapes the controls of p and reports len(p) written when the whole escaped text was.
func (e controlEscaper) Write(p []byte) (int, error) {
	if _, err := io.WriteString(e.w, escapeText(string(p), "\n\t")); err != nil {
		return 0, err
	}
	return len(p), nil
}

// safeCell escapes every control character of a table cell, tabs and newlines included:
// either would break the columns.
func safeCell(s string) string {
	return escapeText(s, "")
}

// escapeText rewrites the C0 controls (but those in keep), DEL and the C1 controls of s as
// \xNN or \u00NN escapes.
func escapeText(s, keep string) string {
	if !hasControl(s, keep) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r < 0x20 && !strings.ContainsRune(keep, r), r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r >= 0x80 && r <= 0x9f:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func hasControl(s, keep string) bool {
	for _, r := range s {
		if (r < 0x20 && !strings.ContainsRune(keep, r)) || r == 0x7f || (r >= 0x80 && r <= 0x9f) {
			return true
		}
	}
	return false
}
