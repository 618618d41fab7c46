// Package static serves Latch's stylesheets and scripts under content-hashed
// names (/static/css/app.3f2a9c1e.css) with year-long immutable caching, so
// a deploy never serves a stale file and a repeat visit fetches nothing.
//
// The vendor folder is filled at build time (go tool task assets) with the
// Datastar client and Go's wasm_exec.js; it is git-ignored, and the embed
// directive below makes the build fail loudly when those files are missing.
package static

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:embed css vendor/datastar.js vendor/wasm_exec.js
var files embed.FS

// Prefix is the URL path under which assets are served.
const Prefix = "/static/"

type asset struct {
	body        []byte
	contentType string
	etag        string
}

// Assets maps logical names ("css/app.css") to hashed URLs and serves them.
type Assets struct {
	urls   map[string]string // logical name → URL path
	byPath map[string]asset  // URL path → content
}

// New hashes every embedded file. It fails only if the embedded tree
// cannot be read.
func New() (*Assets, error) {
	a := &Assets{urls: map[string]string{}, byPath: map[string]asset{}}
	err := fs.WalkDir(files, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := files.ReadFile(name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		hash := hex.EncodeToString(sum[:])[:12]
		ext := path.Ext(name)
		url := Prefix + strings.TrimSuffix(name, ext) + "." + hash + ext
		ct := mime.TypeByExtension(ext)
		if ct == "" {
			ct = "application/octet-stream"
		}
		a.urls[name] = url
		a.byPath[url] = asset{body: body, contentType: ct, etag: `"` + hash + `"`}
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
	u, ok := a.urls[name]
	if !ok {
		panic("static: unknown asset " + name)
	}
	return u
}

// ServeHTTP serves a hashed asset with immutable caching; any other path
// under Prefix is 404, so nothing is served under a name that could change.
func (a *Assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f, ok := a.byPath[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", f.contentType)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("ETag", f.etag)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(f.body))
}
