// Package redirect decides where a "next" parameter may send a user after
// sign-in, so Latch is never an open redirect.
package redirect

import (
	"net/url"
	"path"
	"strings"
)

// Fallback is where Safe sends a user when next is refused.
const Fallback = "/account"

// maxLen bounds what Safe looks at; longer values are refused.
const maxLen = 2048

// Safe returns where to send the user for next, and whether next was
// accepted. It accepts:
//
//   - a path on this site: it starts with exactly one "/", and neither it
//     nor any percent-decoding of it (repeated, so "%252F" counts) starts
//     with "//" or holds a backslash, a control character or any non-ASCII
//     byte (an encoded space is allowed) (which rules out look-alikes such as the fullwidth solidus
//     U+FF0F), an "@" or a "$". Dot segments are resolved, so the result is a clean path
//     with its query and fragment;
//   - an absolute http or https URL without userinfo whose origin (scheme,
//     host and port, default ports removed, case ignored) is exactly one of
//     allowedOrigins, such as "https://app.example.com".
//
// Anything else, including raw spaces, tabs and newlines (which browsers
// drop, turning "/\t/evil" into "//evil"), returns Fallback and false.
//
// "@" and "$" are refused because a target may end up inside a Datastar
// expression (the navigation after a sign-in answered over server-sent
// events), where Datastar rewrites "@name(" and "$name" even inside string
// literals. The expression quotes targets so that cannot happen (ui.ExprString);
// refusing them here keeps a second line.
func Safe(next string, allowedOrigins []string) (string, bool) {
	if next == "" || len(next) > maxLen || !plainASCII(next) {
		return Fallback, false
	}
	if strings.HasPrefix(next, "/") {
		p, ok := cleanPath(next)
		if !ok {
			return Fallback, false
		}
		return p, true
	}
	u, err := url.Parse(next)
	if err != nil || u.User != nil || u.Opaque != "" || u.Host == "" || strings.Contains(next, "@") {
		return Fallback, false
	}
	origin, ok := originOf(u)
	if !ok {
		return Fallback, false
	}
	for _, a := range allowedOrigins {
		au, err := url.Parse(a)
		if err != nil || au.User != nil || (au.Path != "" && au.Path != "/") || au.RawQuery != "" || au.Fragment != "" {
			continue
		}
		if ao, ok := originOf(au); ok && ao == origin {
			prefix := u.Scheme + "://" + u.Host
			if len(next) < len(prefix) || !strings.EqualFold(next[:len(prefix)], prefix) {
				return Fallback, false
			}
			rest := next[len(prefix):]
			if rest == "" {
				return origin + "/", true
			}
			if !strings.HasPrefix(rest, "/") {
				// "?q" or "#f" straight after the host.
				rest = "/" + rest
			}
			p, ok := cleanPath(rest)
			if !ok {
				return Fallback, false
			}
			return origin + p, true
		}
	}
	return Fallback, false
}

// originOf returns "scheme://host[:port]" in lower case without a default
// port, for http and https URLs only.
func originOf(u *url.URL) (string, bool) {
	scheme := strings.ToLower(u.Scheme)
	if (scheme != "http" && scheme != "https") || u.Host == "" || strings.ContainsAny(u.Host, "%@\\") {
		return "", false
	}
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
		port = ""
	}
	if host == "" {
		return "", false
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	return scheme + "://" + host, true
}

// cleanPath checks a value starting with "/" and returns it with dot
// segments in its path resolved.
func cleanPath(s string) (string, bool) {
	if !safePath(s) {
		return "", false
	}
	// Every decoding must pass too: some layer between here and the
	// browser may decode once more.
	for cur := s; strings.Contains(cur, "%"); {
		dec, err := url.PathUnescape(cur)
		if err != nil || !decodedASCII(dec) || strings.ContainsAny(dec, "\\@$") || strings.HasPrefix(dec, "//") {
			return "", false
		}
		if dec == cur {
			break
		}
		cur = dec
	}
	p, tail := s, ""
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		p, tail = s[:i], s[i:]
	}
	// Browsers treat %2e as a dot in dot segments.
	p = strings.NewReplacer("%2e", ".", "%2E", ".").Replace(p)
	cleaned := path.Clean(p)
	if strings.HasSuffix(p, "/") && cleaned != "/" {
		cleaned += "/"
	}
	out := cleaned + tail
	if !safePath(out) {
		return "", false
	}
	return out, true
}

// safePath reports whether s starts with a single "/" and holds no
// backslash, "@" or "$".
func safePath(s string) bool {
	return strings.HasPrefix(s, "/") && !strings.HasPrefix(s, "//") && !strings.ContainsAny(s, "\\@$")
}

// plainASCII reports whether s holds only printable ASCII other than space.
func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= 0x20 || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// decodedASCII is plainASCII for a decoded value, in which an encoded
// space (%20) is fine.
func decodedASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f {
			return false
		}
	}
	return true
}
