package deploy

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"sort"
)

// Keys of the release's Secret.
const (
	KeySecret        = "SECRET"
	KeyAdminPassword = "ADMIN_PASSWORD"
	KeyDBPassword    = "DB_PASSWORD"
	KeyRedisPassword = "REDIS_PASSWORD"
)

// SecretHashAnnotation on a pod template records the hash of the Secret's values the pods
// were started with (see SecretValues.Hash); a pod whose value differs from the hash of the
// Secret's current values runs on old values.
const SecretHashAnnotation = "kubectl-directus.io/secret-hash"

// secretKeys lists every key the manifests read, with the number of random bytes behind
// each value. Directus signs tokens with SECRET, which wants at least 32 bytes.
func secretKeys() map[string]int {
	return map[string]int{
		KeySecret:        48,
		KeyAdminPassword: 24,
		KeyDBPassword:    24,
		KeyRedisPassword: 24,
	}
}

// SecretValues are the generated values of the release's Secret, by key.
type SecretValues map[string][]byte

// NewSecretValues draws every value from random (crypto/rand.Reader in production), encoded
// as unpadded URL-safe base64 so that it needs no quoting in a URL or a shell.
func NewSecretValues(random io.Reader) (SecretValues, error) {
	sizes := secretKeys()
	values := SecretValues{}
	for _, key := range sortedKeys(sizes) {
		buf := make([]byte, sizes[key])
		if _, err := io.ReadFull(random, buf); err != nil {
			return nil, fmt.Errorf("generating %s: %w", key, err)
		}
		values[key] = []byte(base64.RawURLEncoding.EncodeToString(buf))
	}
	return values, nil
}

// Hash is a short digest of every key and value, stable across runs and map order: the
// first 16 hex digits of the SHA-256 of "KEY=<value in hex>\n" for each key in sorted order.
func (v SecretValues) Hash() string {
	sum := sha256.New()
	for _, key := range sortedKeys(v) {
		fmt.Fprintf(sum, "%s=%x\n", key, v[key])
	}
	return hex.EncodeToString(sum.Sum(nil))[:16]
}

// Missing returns the keys the manifests need that v lacks, sorted.
func (v SecretValues) Missing() []string {
	var missing []string
	for key := range secretKeys() {
		if len(v[key]) == 0 {
			missing = append(missing, key)
		}
	}
	sort.Strings(missing)
	return missing
}

// encoded returns the values base64-encoded, as a Secret's data field holds them.
func (v SecretValues) encoded() map[string]string {
	out := make(map[string]string, len(v))
	for key, value := range v {
		out[key] = base64.StdEncoding.EncodeToString(value)
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for key := range m {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	return keys
}
