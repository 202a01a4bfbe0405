package main

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
)

// sha256Pattern matches a sha256 sum as krew wants it: 64 lowercase hex digits.
const sha256Pattern = `^[0-9a-f]{64}$`

// checksum is one line of a sums file: an archive's name and its sha256.
type checksum struct {
	Name   string
	SHA256 string
}

// fileSHA256 returns the lowercase hex sha256 of the file at path.
func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("hash %s: %w", path, err)
	}
	defer f.Close()

	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("hash %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// writeSums writes sums in the format `sha256sum -c` reads: the sum, two spaces, the name.
func writeSums(path string, sums []checksum) error {
	var b strings.Builder
	for _, s := range sums {
		fmt.Fprintf(&b, "%s  %s\n", s.SHA256, s.Name)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		return fmt.Errorf("write sums file: %w", err)
	}
	return nil
}

// readSums reads a sums file written by writeSums into a map from archive name to sha256.
func readSums(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read sums file: %w (run `make dist` for this version first)", err)
	}
	defer f.Close()

	valid := regexp.MustCompile(sha256Pattern)
	sums := map[string]string{}
	scanner := bufio.NewScanner(f)
	for line := 1; scanner.Scan(); line++ {
		sum, name, ok := strings.Cut(scanner.Text(), "  ")
		if !ok || !valid.MatchString(sum) || name == "" {
			return nil, fmt.Errorf("%s:%d: want `<64 lowercase hex digits>  <file name>`, "+
				"got %q; rebuild it with `make dist`", path, line, scanner.Text())
		}
		sums[name] = sum
	}
	if err := scanner.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return sums, nil
}
