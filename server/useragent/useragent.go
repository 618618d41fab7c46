// Package useragent names the browser and operating system behind a
// User-Agent header, for the device list ("Firefox on Windows").
//
// It is a small hand-written matcher for the browsers and systems most
// people use, not a full parser: anything it does not recognise comes back
// as "", and callers show their own "unknown" wording. Names are product
// names and are not translated.
package useragent

import "strings"

// maxLen bounds how much of a header is examined; real user agents are far
// shorter, and the session store keeps at most 512 bytes.
const maxLen = 512

// Agent is what a User-Agent header says about the client.
type Agent struct {
	Browser string // e.g. "Firefox", "Chrome", "Safari"; "" when not recognised
	OS      string // e.g. "Windows", "macOS", "iOS"; "" when not recognised
}

// rule maps a marker found in the header to a name. Rules are tried in
// order and the first match wins, so more specific markers come first
// (Edge and Opera also say "Chrome"; Chrome also says "Safari"; iPhones
// also say "Mac OS X"; Android also says "Linux").
type rule struct{ marker, name string }

var browsers = []rule{
	{"Edg/", "Edge"},
	{"EdgA/", "Edge"},
	{"EdgiOS/", "Edge"},
	{"Edge/", "Edge"},
	{"OPR/", "Opera"},
	{"OPiOS/", "Opera"},
	{"Opera", "Opera"},
	{"SamsungBrowser/", "Samsung Internet"},
	{"Vivaldi/", "Vivaldi"},
	{"Brave/", "Brave"},
	{"FxiOS/", "Firefox"},
	{"Firefox/", "Firefox"},
	{"CriOS/", "Chrome"},
	{"HeadlessChrome/", "Headless Chrome"},
	{"Chromium/", "Chromium"},
	{"Chrome/", "Chrome"},
	{"Trident/", "Internet Explorer"},
	{"MSIE ", "Internet Explorer"},
	{"Version/", "Safari"}, // with "Safari/", checked below
}

var systems = []rule{
	{"Windows", "Windows"},
	{"iPhone", "iOS"},
	{"iPod", "iOS"},
	{"iPad", "iPadOS"},
	{"Android", "Android"},
	{"CrOS", "ChromeOS"},
	{"Macintosh", "macOS"},
	{"Mac OS X", "macOS"},
	{"Linux", "Linux"},
	{"X11", "Linux"},
	{"FreeBSD", "FreeBSD"},
}

// Parse names the browser and operating system in a User-Agent header.
// It never fails: an empty, unusual or hostile header gives empty names.
func Parse(ua string) Agent {
	if len(ua) > maxLen {
		ua = ua[:maxLen]
	}
	var a Agent
	for _, r := range browsers {
		if !strings.Contains(ua, r.marker) {
			continue
		}
		if r.name == "Safari" && !strings.Contains(ua, "Safari/") {
			continue
		}
		a.Browser = r.name
		break
	}
	for _, r := range systems {
		if strings.Contains(ua, r.marker) {
			a.OS = r.name
			break
		}
	}
	return a
}
