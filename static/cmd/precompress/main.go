// Command precompress writes a brotli (FILE.br) and a gzip (FILE.gz) copy
// next to each file it is given, compressed as hard as each format allows,
// so package static can serve them by content negotiation without
// compressing on every request. The copies are written to temporary files
// and renamed into place, so a failed run never leaves a truncated one.
//
//	go run ./static/cmd/precompress static/wasm/latch.wasm
package main

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/andybalholm/brotli"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "precompress:", err)
		os.Exit(1)
	}
}

// run compresses each path and reports the sizes on out. It fails on a
// missing or empty file (a build step that produced nothing) and on any
// write error.
func run(paths []string, out io.Writer) error {
	if len(paths) == 0 {
		return errors.New("usage: precompress FILE...")
	}
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if len(raw) == 0 {
			return fmt.Errorf("%s is empty", p)
		}
		br, err := compress(raw, func(w io.Writer) io.WriteCloser {
			return brotli.NewWriterOptions(w, brotli.WriterOptions{Quality: brotli.BestCompression, LGWin: 24})
		})
		if err != nil {
			return fmt.Errorf("%s: brotli: %w", p, err)
		}
		gz, err := compress(raw, func(w io.Writer) io.WriteCloser {
			zw, _ := gzip.NewWriterLevel(w, gzip.BestCompression) // the level is valid
			return zw
		})
		if err != nil {
			return fmt.Errorf("%s: gzip: %w", p, err)
		}
		if err := writeFile(p+".br", br); err != nil {
			return err
		}
		if err := writeFile(p+".gz", gz); err != nil {
			return err
		}
		fmt.Fprintf(out, "%s: %d bytes, gzip %d, brotli %d\n", p, len(raw), len(gz), len(br))
	}
	return nil
}

func compress(raw []byte, newWriter func(io.Writer) io.WriteCloser) ([]byte, error) {
	var buf bytes.Buffer
	w := newWriter(&buf)
	if _, err := w.Write(raw); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// writeFile replaces name with data through a temporary file and a rename.
func writeFile(name string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(name), filepath.Base(name)+".*.tmp")
	if err != nil {
		return err
	}
	_, werr := f.Write(data)
	cerr := f.Close()
	if err := errors.Join(werr, cerr, os.Chmod(f.Name(), 0o644)); err != nil {
		os.Remove(f.Name())
		return err
	}
	if err := os.Rename(f.Name(), name); err != nil {
		os.Remove(f.Name())
		return err
	}
	return nil
}
