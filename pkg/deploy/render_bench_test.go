package deploy

import (
	"bytes"
	"testing"
)

// BenchmarkRender measures one render of the default release (10 objects).
func BenchmarkRender(b *testing.B) {
	secret, err := NewSecretValues(bytes.NewReader(bytes.Repeat([]byte{1}, 1024)))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Render(DefaultOptions("cms"), secret); err != nil {
			b.Fatal(err)
		}
	}
}
