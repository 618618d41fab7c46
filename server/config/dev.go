package config

import (
	"errors"
	"io/fs"
	"net/url"

	"github.com/joho/godotenv"
)

// DevTools are the settings of the development loop; none of them is
// allowed in production.
type DevTools struct {
	// StaticDir is LATCH_STATIC_DIR: in dev, serve stylesheets and scripts
	// from this folder as they are on disk, so an edit shows on reload
	// (default "static" in dev; "-" serves the embedded files).
	StaticDir string
	// ReloadURL is LATCH_DEV_RELOAD_URL: in dev, where to ask the browser
	// to reload when a file under StaticDir changes (templ's reload proxy,
	// http://127.0.0.1:7331/_templ/reload/events, set by go tool -modfile=go.tool.mod task dev);
	// a loopback http URL, empty for none.
	ReloadURL string
}

// loadDevTools reads DevTools.
func (c *Config) loadDevTools(p *parser) {
	v := p.str("LATCH_STATIC_DIR", "")
	switch {
	case c.Env != EnvDev && v != "":
		p.fail("LATCH_STATIC_DIR", "is for development only (LATCH_ENV=dev)")
	case c.Env != EnvDev, v == "-":
	case v == "":
		c.StaticDir = "static"
	default:
		c.StaticDir = v
	}
	if u := p.str("LATCH_DEV_RELOAD_URL", ""); u != "" {
		pu, err := url.Parse(u)
		if c.Env != EnvDev || err != nil || pu.Scheme != "http" || !loopbackHost(pu.Hostname()) {
			p.fail("LATCH_DEV_RELOAD_URL", "must be a loopback http URL, in development only")
		} else {
			c.ReloadURL = u
		}
	}
}

// WithDotenv returns a getenv that answers from the real environment
// (lookup, e.g. os.LookupEnv) and, for a key not set there, from the
// dotenv file at path (KEY=value lines, # comments, quotes as in a shell;
// read with github.com/joho/godotenv). The real environment always wins,
// even when it sets a key to "". A missing file is no error: the
// environment alone answers.
//
// Errors: the file exists but cannot be read or parsed.
func WithDotenv(lookup func(string) (string, bool), path string) (func(string) string, error) {
	file, err := godotenv.Read(path)
	if errors.Is(err, fs.ErrNotExist) {
		file = nil
	} else if err != nil {
		return nil, err
	}
	return func(key string) string {
		if v, ok := lookup(key); ok {
			return v
		}
		return file[key]
	}, nil
}

// DotenvFile is the file WithDotenv reads in the working directory.
const DotenvFile = ".env"
