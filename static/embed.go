// Package static serves Latch's stylesheets and scripts under content-hashed
// names (/static/css/app.3f2a9c1e.css) with year-long immutable caching, so
// a deploy never serves a stale file and a repeat visit fetches nothing.
//
// The vendor folder is filled at build time (go tool -modfile=go.tool.mod task assets) with the
// Datastar client and Go's wasm_exec.js, and the wasm folder (go tool -modfile=go.tool.mod task
// wasm) with the browser module latch.wasm and its precompressed copies
// latch.wasm.br and latch.wasm.gz; both are git-ignored, and the embed
// directive below makes the build fail loudly when those files are missing.
//
// A file with precompressed copies (NAME.br, NAME.gz) is served as one asset
// under one hashed name, in the encoding the client accepts: brotli, then
// gzip, then the file itself, with Vary: Accept-Encoding.
package static

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash/crc32"
	"io/fs"
	"mime"
	"net/http"
	"os"
	"path"
	"strconv"
	"strings"
	"time"
)

//go:embed css/*.css js img vendor/datastar.js vendor/wasm_exec.js wasm/latch.wasm wasm/latch.wasm.br wasm/latch.wasm.gz
var files embed.FS

// Prefix is the URL path under which assets are served.
const Prefix = "/static/"

type asset struct {
	body        []byte
	contentType string
	etag        string
	encoded     []encodedCopy // precompressed copies, in the server's order of preference
}

// encodedCopy is a precompressed copy of an asset.
type encodedCopy struct {
	coding string // the Content-Encoding token: "br" or "gzip"
	body   []byte
	etag   string
}

// precompressed lists the copies looked for next to every file, in the
// order they are preferred: the file extension and the content coding.
var precompressed = [...]struct{ ext, coding string }{{".br", "br"}, {".gz", "gzip"}}

// Assets maps logical names ("css/app.css") to hashed URLs and serves them.
type Assets struct {
	urls   map[string]string // logical name → URL path
	byPath map[string]asset  // URL path → content
	// disk, in development (NewFromDisk), is the folder files are read
	// from on every request, unhashed and never cached.
	disk fs.FS
}

// NewFromDisk serves the files under dir (the static folder of a
// checkout) as they are on disk at each request, under their plain names
// and with Cache-Control: no-store, so an edited stylesheet shows on the
// next reload without a rebuild. It is for development only: production
// serves the embedded, hashed files (New).
//
// Errors: dir is not a folder holding css/theme.css.
func NewFromDisk(dir string) (*Assets, error) {
	fsys := os.DirFS(dir)
	if _, err := fs.Stat(fsys, "css/theme.css"); err != nil {
		return nil, fmt.Errorf("static: %s is not the static folder: %w", dir, err)
	}
	return &Assets{disk: fsys}, nil
}

// New hashes every embedded file and attaches its precompressed copies.
// It fails if the embedded tree cannot be read, or if a gzip copy was not
// made from the file beside it (the file was rebuilt without recompressing:
// its new name would be served with old content to most browsers).
func New() (*Assets, error) {
	a := &Assets{urls: map[string]string{}, byPath: map[string]asset{}}
	err := fs.WalkDir(files, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		ext := path.Ext(name)
		for _, p := range precompressed {
			if ext == p.ext {
				return nil // served with the file it was made from
			}
		}
		body, err := files.ReadFile(name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		hash := hex.EncodeToString(sum[:])[:12]
		url := Prefix + strings.TrimSuffix(name, ext) + "." + hash + ext
		ct := contentType(ext)
		f := asset{body: body, contentType: ct, etag: `"` + hash + `"`}
		for _, p := range precompressed {
			enc, err := files.ReadFile(name + p.ext)
			if err != nil {
				continue // no copy in this encoding
			}
			if p.coding == "gzip" && !gzipOf(enc, body) {
				return fmt.Errorf("%s%s does not hold %s: rebuild it (go tool -modfile=go.tool.mod task wasm)", name, p.ext, name)
			}
			f.encoded = append(f.encoded, encodedCopy{coding: p.coding, body: enc, etag: `"` + hash + "-" + p.coding + `"`})
		}
		a.urls[name] = url
		a.byPath[url] = f
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("static: read embedded assets: %w", err)
	}
	return a, nil
}

// URL returns the hashed URL of a logical asset name. It panics on an
// unknown name: that is a programming error a test of every page catches.
func (a *Assets) URL(name string) string {
	if a.disk != nil {
		if _, err := fs.Stat(a.disk, name); err != nil {
			panic("static: unknown asset " + name)
		}
		return Prefix + name
	}
	u, ok := a.urls[name]
	if !ok {
		panic("static: unknown asset " + name)
	}
	return u
}

// ServeHTTP serves a hashed asset with immutable caching; any other path
// under Prefix is 404, so nothing is served under a name that could change.
// An asset with precompressed copies is served in the first encoding of
// brotli, gzip and none that the request's Accept-Encoding allows.
func (a *Assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if a.disk != nil {
		a.serveDisk(w, r)
		return
	}
	f, ok := a.byPath[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", f.contentType)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	body, etag := f.body, f.etag
	if len(f.encoded) > 0 {
		h.Add("Vary", "Accept-Encoding")
		accept := r.Header.Values("Accept-Encoding")
		for _, c := range f.encoded {
			if accepts(accept, c.coding) {
				body, etag = c.body, c.etag
				h.Set("Content-Encoding", c.coding)
				// ServeContent leaves Content-Length out when an encoding is set.
				h.Set("Content-Length", strconv.Itoa(len(body)))
				break
			}
		}
	}
	h.Set("ETag", etag)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

// serveDisk serves a file of the disk folder, as it is now.
func (a *Assets) serveDisk(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, Prefix)
	if !fs.ValidPath(name) || strings.HasPrefix(path.Base(name), ".") {
		http.NotFound(w, r)
		return
	}
	body, err := fs.ReadFile(a.disk, name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", contentType(path.Ext(name)))
	w.Header().Set("Cache-Control", "no-store")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

// contentType is the media type served for a file extension. WebAssembly
// must be application/wasm for WebAssembly.instantiateStreaming, whatever
// the machine's MIME tables say.
func contentType(ext string) string {
	if ext == ".wasm" {
		return "application/wasm"
	}
	if ct := mime.TypeByExtension(ext); ct != "" {
		return ct
	}
	return "application/octet-stream"
}

// accepts reports whether the Accept-Encoding field values allow coding:
// listed by name or by "*" with a q-value above zero. A missing header
// allows only the identity encoding.
func accepts(header []string, coding string) bool {
	named, star := -1.0, -1.0
	for _, v := range header {
		for part := range strings.SplitSeq(v, ",") {
			token, params, _ := strings.Cut(part, ";")
			q := 1.0
			for param := range strings.SplitSeq(params, ";") {
				k, val, _ := strings.Cut(param, "=")
				if strings.EqualFold(strings.TrimSpace(k), "q") {
					if f, err := strconv.ParseFloat(strings.TrimSpace(val), 64); err == nil {
						q = f
					} else {
						q = 0
					}
				}
			}
			switch token = strings.TrimSpace(token); {
			case strings.EqualFold(token, coding):
				named = q
			case token == "*":
				star = q
			}
		}
	}
	if named >= 0 {
		return named > 0
	}
	return star > 0
}

// gzipOf reports whether the single-member gzip stream gz holds body,
// from its trailer (CRC-32 and length of the uncompressed data), without
// decompressing it.
func gzipOf(gz, body []byte) bool {
	if len(gz) < 18 || gz[0] != 0x1f || gz[1] != 0x8b {
		return false
	}
	trailer := gz[len(gz)-8:]
	return binary.LittleEndian.Uint32(trailer) == crc32.ChecksumIEEE(body) &&
		binary.LittleEndian.Uint32(trailer[4:]) == uint32(len(body))
}
