package printers

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"
)

func TestYAMLOutputSurvivesControlCharacters(t *testing.T) {
	for _, s := range []string{"del \x7f here", "c1 \u0080 and \u009f", "bell \a", "plain"} {
		var out bytes.Buffer
		require.NoError(t, WriteData(&out, FormatYAML, map[string]string{"message": s}), "%q", s)

		var back map[string]string
		require.NoError(t, yaml.Unmarshal(out.Bytes(), &back), out.String())
		assert.Equal(t, s, back["message"])
	}
}

func TestEscapeControlsLeavesOtherTextAlone(t *testing.T) {
	in := []byte(`{"a":"é ü 😀 \" \\u007f","b":1}`)
	assert.Equal(t, in, escapeControls(in))
	assert.Equal(t, []byte(`{"a":"x\u007fy\u0085"}`), escapeControls([]byte("{\"a\":\"x\x7fy\u0085\"}")))
}
