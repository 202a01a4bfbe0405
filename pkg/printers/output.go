package printers

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Format is an output format chosen with -o.
type Format string

// The formats every read-only verb accepts; the empty format is the human table.
const (
	FormatTable Format = ""
	FormatJSON  Format = "json"
	FormatYAML  Format = "yaml"
)

// Formats lists the values -o accepts, for help and error messages.
var Formats = []Format{FormatJSON, FormatYAML}

// ParseFormat checks an -o value.
func ParseFormat(value string) (Format, error) {
	switch f := Format(strings.ToLower(value)); f {
	case FormatTable, FormatJSON, FormatYAML:
		return f, nil
	}
	return "", fmt.Errorf("unknown output format %q for --output: use json or yaml, or leave "+
		"-o out for a table", value)
}

// WriteData writes v as indented JSON or as YAML.
func WriteData(w io.Writer, format Format, v any) error {
	switch format {
	case FormatJSON:
		data, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return fmt.Errorf("encoding JSON: %w", err)
		}
		_, err = fmt.Fprintf(w, "%s\n", data)
		return err
	case FormatYAML:
		data, err := marshalYAML(v)
		if err != nil {
			return fmt.Errorf("encoding YAML: %w", err)
		}
		_, err = w.Write(data)
		return err
	}
	return fmt.Errorf("format %q is not a data format", format)
}
