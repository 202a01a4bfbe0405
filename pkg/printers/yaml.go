package printers

import (
	"encoding/json"
	"fmt"
	"unicode/utf8"

	"sigs.k8s.io/yaml"
)

// marshalYAML encodes v as YAML through JSON, as sigs.k8s.io/yaml does, but first escapes
// the characters JSON leaves raw and YAML refuses to read (DEL and the C1 controls, which
// an event message or an annotation may carry): without it, one such character anywhere in
// a report makes -o yaml fail.
func marshalYAML(v any) ([]byte, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return yaml.JSONToYAML(escapeControls(data))
}

// escapeControls rewrites DEL and U+0080..U+009F in JSON text as \u escapes. They can only
// occur inside JSON strings, where the escape means the same character.
func escapeControls(data []byte) []byte {
	out := make([]byte, 0, len(data))
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == 0x7f || (r >= 0x80 && r <= 0x9f) {
			out = fmt.Appendf(out, `\u%04x`, r)
		} else {
			out = append(out, data[i:i+size]...)
		}
		i += size
	}
	return out
}
