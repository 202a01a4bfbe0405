package deploy

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestValidateRefusesBadOptions(t *testing.T) {
	cases := []struct {
		name   string
		change func(*Options)
		want   string
	}{
		{"name with underscore", func(o *Options) { o.Name = "my_cms" },
			`NAME "my_cms" is not a DNS label`},
		{"name starting with a digit", func(o *Options) { o.Name = "1cms" },
			`NAME "1cms" is not a DNS label`},
		{"name too long", func(o *Options) { o.Name = strings.Repeat("a", MaxNameLength+1) },
			"use at most 35"},
		{"min above max", func(o *Options) { o.MinReplicas, o.MaxReplicas = 5, 3 },
			"--min 5 is greater than --max 3: set --max to at least --min"},
		{"min zero", func(o *Options) { o.MinReplicas = 0 }, "--min 0 must be at least 1"},
		{"admin email without @", func(o *Options) { o.AdminEmail = "admin" },
			`--admin-email "admin" must be an e-mail address such as admin@example.com`},
		{"admin email not UTF-8", func(o *Options) { o.AdminEmail = "a\x80@example.com" },
			`--admin-email "a\x80@example.com" must be an e-mail address`},
		{"public url with a newline", func(o *Options) { o.PublicURL = "https://a/\nb" },
			`--public-url "https://a/\nb" must be an absolute URL`},
		{"cpu target zero", func(o *Options) { o.CPUTarget = 0 },
			"--cpu-target 0 is out of range: use 1 to 100 (percent)"},
		{"memory target above 100", func(o *Options) { o.MemoryTarget = 101 },
			"--memory-target 101 is out of range: use 1 to 100 (percent)"},
		{"negative window", func(o *Options) { o.ScaleUpWindow = -1 },
			"--scale-up-window -1 is out of range: use 0 to 3600 (seconds)"},
		{"window above an hour", func(o *Options) { o.ScaleDownWindow = 3601 },
			"--scale-down-window 3601 is out of range: use 0 to 3600 (seconds)"},
		{"image without tag", func(o *Options) { o.Image = "directus/directus" },
			`--image "directus/directus" has no tag: pin a version`},
		{"image latest", func(o *Options) { o.Image = "directus/directus:latest" },
			"uses the moving tag latest"},
		{"image uppercase", func(o *Options) { o.Image = "Directus/directus:12.2.0" },
			"the repository must be lowercase"},
		{"bad storage size", func(o *Options) { o.StorageSize = "ten gigs" },
			`--storage-size "ten gigs" is not a quantity`},
		{"relative public url", func(o *Options) { o.PublicURL = "/cms" },
			"--public-url \"/cms\" must be an absolute URL"},
		{"bad namespace", func(o *Options) { o.Namespace = "Prod" },
			`namespace "Prod" is not a valid namespace name`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			opts := DefaultOptions("cms")
			c.change(&opts)
			err := opts.Validate()
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)

			_, err = Render(opts, fixedSecret(t, 1))
			assert.Error(t, err, "Render must refuse what Validate refuses")
		})
	}
}

func TestValidateAcceptsEdges(t *testing.T) {
	opts := DefaultOptions("cms")
	opts.Name = strings.Repeat("a", MaxNameLength)
	opts.MinReplicas, opts.MaxReplicas = 1, 1
	opts.CPUTarget, opts.MemoryTarget = 1, 100
	opts.ScaleUpWindow, opts.ScaleDownWindow = 0, 3600
	opts.Image = "directus/directus@sha256:" + strings.Repeat("ab", 32)
	require.NoError(t, opts.Validate())

	objs, err := Render(opts, fixedSecret(t, 1))
	require.NoError(t, err)
	for _, obj := range objs {
		assert.LessOrEqual(t, len(obj.GetName()), 63, obj.GetName())
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	opts := DefaultOptions("cms")
	opts.MinReplicas, opts.MaxReplicas, opts.CPUTarget = 4, 2, 0
	err := opts.Validate()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "--min 4 is greater than --max 2")
	assert.Contains(t, err.Error(), "--cpu-target 0")
}

func TestParseImage(t *testing.T) {
	cases := map[string]imageRef{
		"directus/directus:12.2.0":     {Repository: "directus/directus", Tag: "12.2.0"},
		"localhost:5000/directus:12.1": {Repository: "localhost:5000/directus", Tag: "12.1"},
		"localhost:5000/directus":      {Repository: "localhost:5000/directus"},
		"ghcr.io/acme/cms:1.0@sha256:" + hex64(): {Repository: "ghcr.io/acme/cms", Tag: "1.0",
			Digest: "sha256:" + hex64()},
	}
	for image, want := range cases {
		got, err := parseImage(image)
		require.NoError(t, err, image)
		assert.Equal(t, want, got, image)
	}

	digestOnly, err := parseImage("directus/directus@sha256:" + hex64())
	require.NoError(t, err)
	assert.Equal(t, hex64()[:12], digestOnly.Version())

	for _, bad := range []string{"directus/directus:bad tag", "directus@md5", ""} {
		_, err := parseImage(bad)
		assert.Error(t, err, bad)
	}
}

func hex64() string { return strings.Repeat("0123456789abcdef", 4) }

func TestSecretValues(t *testing.T) {
	a, err := NewSecretValues(rand.Reader)
	require.NoError(t, err)
	b, err := NewSecretValues(rand.Reader)
	require.NoError(t, err)

	assert.Empty(t, a.Missing())
	assert.GreaterOrEqual(t, len(a[KeySecret]), 32, "SECRET wants at least 32 bytes")
	for key := range secretKeys() {
		assert.NotEqual(t, a[key], b[key], "%s must be random", key)
	}
	assert.NotEqual(t, a.Hash(), b.Hash())
	assert.Len(t, a.Hash(), 16)

	again, err := NewSecretValues(bytes.NewReader(bytes.Repeat([]byte{9}, 512)))
	require.NoError(t, err)
	same, err := NewSecretValues(bytes.NewReader(bytes.Repeat([]byte{9}, 512)))
	require.NoError(t, err)
	assert.Equal(t, again.Hash(), same.Hash(), "the hash is stable")

	_, err = NewSecretValues(bytes.NewReader([]byte{1, 2, 3}))
	assert.Error(t, err, "a short random source is an error")
	assert.Equal(t, []string{KeyDBPassword, KeySecret},
		SecretValues{KeyAdminPassword: []byte("x"), KeyRedisPassword: []byte("y")}.Missing())
}

func TestSecretHashAlgorithm(t *testing.T) {
	v := SecretValues{"B": []byte("2"), "A": []byte("1")}
	sum := sha256.Sum256([]byte("A=31\nB=32\n"))
	assert.Equal(t, hex.EncodeToString(sum[:])[:16], v.Hash(), "documented for the doctor")
}
