package deploy

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"regexp"
	"strings"
)

// bootstrapHashLength is the number of hex digits of the image hash in the Job's name.
const bootstrapHashLength = 8

var (
	tagPattern    = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)
	digestPattern = regexp.MustCompile(`^[a-z0-9]+:[a-f0-9]{32,}$`)
	repoPattern   = regexp.MustCompile(`^[a-z0-9]+([._/:-][a-z0-9]+)*$`)
)

// imageRef is a container image reference split into its parts.
type imageRef struct {
	Repository string
	Tag        string
	Digest     string
}

// parseImage splits repository[:tag][@digest]. A colon before the last slash belongs to a
// registry host's port, not to a tag.
func parseImage(image string) (imageRef, error) {
	var ref imageRef
	rest := image
	if at := strings.LastIndex(rest, "@"); at >= 0 {
		ref.Digest = rest[at+1:]
		rest = rest[:at]
		if !digestPattern.MatchString(ref.Digest) {
			return ref, errors.New("the digest is not algorithm:hex, e.g. sha256:<64 hex digits>")
		}
	}
	if colon := strings.LastIndex(rest, ":"); colon > strings.LastIndex(rest, "/") {
		ref.Tag = rest[colon+1:]
		rest = rest[:colon]
		if !tagPattern.MatchString(ref.Tag) {
			return ref, errors.New("the tag may hold only letters, digits, '_', '.' and '-'")
		}
	}
	ref.Repository = rest
	if !repoPattern.MatchString(rest) {
		return ref, errors.New("the repository must be lowercase, e.g. directus/directus")
	}
	return ref, nil
}

// Version is the image's tag, or the start of its digest, usable as a label value.
func (r imageRef) Version() string {
	if r.Tag != "" {
		return truncate(r.Tag, 63)
	}
	_, hexPart, _ := strings.Cut(r.Digest, ":")
	return truncate(hexPart, 12)
}

// imageHash names the bootstrap Job of an image: the same reference gives the same Job.
func imageHash(image string) string {
	sum := sha256.Sum256([]byte(image))
	return hex.EncodeToString(sum[:])[:bootstrapHashLength]
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.TrimRight(s[:n], "._-")
}
