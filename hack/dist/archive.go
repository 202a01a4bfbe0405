package main

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// archiveFile is one file to pack: its name in the archive, where it is on disk, its mode.
type archiveFile struct {
	Name string
	Path string
	Mode int64
}

// writeTarGz packs files flat into a gzip-compressed tar at path. Owners, times and the gzip
// header are fixed, so the same inputs always give the same bytes and the same sha256.
func writeTarGz(path string, files []archiveFile, mtime time.Time) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("create archive: %w", err)
	}
	defer func() { err = errors.Join(err, f.Close()) }()

	gz, err := gzip.NewWriterLevel(f, gzip.BestCompression)
	if err != nil {
		return fmt.Errorf("create archive %s: %w", path, err)
	}
	tw := tar.NewWriter(gz)
	for _, file := range files {
		if err := addFile(tw, file, mtime); err != nil {
			return fmt.Errorf("pack %s: %w", path, err)
		}
	}

	if err := tw.Close(); err != nil {
		return fmt.Errorf("pack %s: %w", path, err)
	}
	if err := gz.Close(); err != nil {
		return fmt.Errorf("compress %s: %w", path, err)
	}
	return nil
}

// addFile writes one regular file to tw, owned by root, with the given mode and time.
func addFile(tw *tar.Writer, file archiveFile, mtime time.Time) error {
	src, err := os.Open(file.Path)
	if err != nil {
		return err
	}
	defer src.Close()

	info, err := src.Stat()
	if err != nil {
		return err
	}
	if !info.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file", file.Path)
	}

	hdr := &tar.Header{
		Typeflag: tar.TypeReg,
		Name:     file.Name,
		Mode:     file.Mode,
		Size:     info.Size(),
		ModTime:  mtime.UTC().Truncate(time.Second),
		Format:   tar.FormatUSTAR,
	}
	if err := tw.WriteHeader(hdr); err != nil {
		return fmt.Errorf("%s: %w", file.Name, err)
	}
	if _, err := io.Copy(tw, src); err != nil {
		return fmt.Errorf("%s: %w", file.Name, err)
	}
	return nil
}
