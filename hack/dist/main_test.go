package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRunRejectsBadInvocations(t *testing.T) {
	cases := map[string]struct {
		args    []string
		errText string
	}{
		"no subcommand":   {nil, "missing subcommand"},
		"unknown":         {[]string{"publish"}, `unknown subcommand "publish"`},
		"version missing": {[]string{"build", "-date", "2026-01-02T15:04:05Z"}, `-version "" must start with v`},
		"bad version":     {[]string{"manifest", "-version", "1.0"}, `-version "1.0" must start with v`},
		"date missing":    {[]string{"build", "-version", "v1.0.0"}, "-date is required"},
		"bad date": {
			[]string{"build", "-version", "v1.0.0", "-date", "yesterday", "-out", t.TempDir()},
			`-date "yesterday" is not an RFC 3339 time`,
		},
		"commit with space": {
			[]string{"build", "-version", "v1.0.0", "-commit", "a b", "-date", "2026-01-02T15:04:05Z"},
			`-commit "a b" must be one word`,
		},
		"bad platform": {
			[]string{"manifest", "-version", "v1.0.0", "-platforms", "plan9/amd64"},
			`"plan9/amd64" is not a release platform`,
		},
		"positional": {
			[]string{"manifest", "-version", "v1.0.0", "linux"},
			`dist manifest takes no arguments, got ["linux"]`,
		},
		"unknown flag": {[]string{"build", "-arch", "arm"}, "flag provided but not defined: -arch"},
	}

	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), tc.args, &stdout, &stderr)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.errText)
			assert.Empty(t, stdout.String(), "nothing is written on error")
		})
	}
}

func TestRunHelpSucceeds(t *testing.T) {
	var stdout, stderr bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"manifest", "-h"}, &stdout, &stderr))
	assert.Contains(t, stderr.String(), "-base-url")
	assert.Empty(t, stdout.String())
}
