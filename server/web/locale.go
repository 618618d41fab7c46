package web

import (
	"cmp"
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/google/uuid"
	"golang.org/x/text/language"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/i18n"
	"github.com/latch-dev/latch/components/layout"
)

// Locales keeps the language each account chose (db.Locales).
type Locales interface {
	// Locale returns the language saved on the account, "" for none.
	Locale(ctx context.Context, appID, userID uuid.UUID) (string, error)
	// SetLocale saves lang on the account.
	SetLocale(ctx context.Context, appID, userID uuid.UUID, lang string) error
	// LocaleOf returns the language saved on the account address (an
	// email address or number) belongs to, "" for none.
	LocaleOf(ctx context.Context, appID uuid.UUID, address string) (string, error)
}

// langCookie keeps the language a visitor chose with the picker. It holds
// a language tag only, checked against the catalog's languages on every
// read, so a forged value changes nothing.
const langCookie = "latch_lang"

// langCookieAge is how long the picker's choice is kept: a year.
const langCookieAge = 365 * 24 * 60 * 60

// Bounds on Accept-Language: a longer header is cut, and entries past the
// first maxAcceptEntries are ignored, so a hostile header costs little.
const (
	maxAcceptLanguage = 512
	maxAcceptEntries  = 16
)

// languages chooses the language of each request among those the catalog
// is written in.
type languages struct {
	langs   []messages.Lang
	matcher language.Matcher
	def     messages.Lang
}

// newLanguages returns the chooser for the catalog's languages, def the
// default (English when def is not one of them; config checks it).
func newLanguages(def messages.Lang) *languages {
	ls := &languages{langs: messages.Languages(), def: messages.English}
	if def.Supported() {
		ls.def = def
	}
	tags := make([]language.Tag, len(ls.langs))
	for i, l := range ls.langs {
		tags[i] = language.Make(string(l))
	}
	ls.matcher = language.NewMatcher(tags)
	return ls
}

// negotiate returns the best language of the catalog for an
// Accept-Language header, and false when the header names none the
// catalog has (the default then). Entries that do not parse are skipped,
// not fatal: "fr-FR, x-!!" still reads French.
func (ls *languages) negotiate(header string) (messages.Lang, bool) {
	if len(header) > maxAcceptLanguage {
		header = header[:maxAcceptLanguage] // a cut last entry fails to parse and is skipped
	}
	type weighted struct {
		tag language.Tag
		q   float32
	}
	var want []weighted
	for i, entry := range strings.SplitN(header, ",", maxAcceptEntries+1) {
		if i == maxAcceptEntries {
			break
		}
		tags, qs, err := language.ParseAcceptLanguage(entry)
		if err != nil || len(tags) != 1 || qs[0] <= 0 {
			continue
		}
		want = append(want, weighted{tags[0], qs[0]})
	}
	if len(want) == 0 {
		return ls.def, false
	}
	slices.SortStableFunc(want, func(a, b weighted) int { return cmp.Compare(b.q, a.q) })
	tags := make([]language.Tag, len(want))
	for i, w := range want {
		tags[i] = w.tag
	}
	_, i, conf := ls.matcher.Match(tags...)
	if conf == language.No || i < 0 || i >= len(ls.langs) {
		return ls.def, false
	}
	return ls.langs[i], true
}

// supported returns tag as a language of the catalog, and whether it is
// one: what the picker and the cookie accept.
func (ls *languages) supported(tag string) (messages.Lang, bool) {
	l := messages.Lang(tag)
	return l, len(tag) <= 35 && slices.Contains(ls.langs, l)
}

// language chooses the language of every request before anything renders:
// the picker's cookie, then Accept-Language, then the default. The
// account's saved choice, known once the session is loaded, overrides it
// (savedLanguage). Pages say which language they are in (Content-Language)
// and that the answer depends on Accept-Language and the cookie (Vary);
// static files are the same in every language and say neither, so caches
// keep one copy of each.
func (s *Server) language(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l, ok := messages.Lang(""), false
		if c, err := r.Cookie(langCookie); err == nil {
			l, ok = s.langs.supported(c.Value)
		}
		if !ok {
			l, _ = s.langs.negotiate(r.Header.Get("Accept-Language"))
		}
		ctx := i18n.WithLang(r.Context(), l)
		if r.Method == http.MethodGet {
			ctx = i18n.WithPath(ctx, r.URL.Path)
		}
		ctx = withRecipientLocales(ctx, s.recipientLocale)
		if !strings.HasPrefix(r.URL.Path, "/static/") {
			h := w.Header()
			h.Set("Content-Language", string(l))
			h.Add("Vary", "Accept-Language")
			h.Add("Vary", "Cookie")
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// savedLanguage puts the language saved on a signed-in user's account,
// when there is one, in place of the one language chose. The session
// records it at the first request after sign-in, so the account is read
// once per session, and the choice follows the account to every browser.
func (s *Server) savedLanguage(next http.Handler) http.Handler {
	if s.Locales == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if id, ok := s.Sessions.UserID(ctx); ok {
			saved, known := s.Sessions.SavedLang(ctx, id)
			if !known {
				loc, err := s.Locales.Locale(ctx, s.appID(ctx), id)
				if err != nil {
					s.Logger.ErrorContext(ctx, "reading the account's language failed", "err", err)
				} else {
					saved = loc
					s.Sessions.SetSavedLang(ctx, id, loc)
				}
			}
			if l, ok := s.langs.supported(saved); ok {
				r = r.WithContext(i18n.WithLang(ctx, l))
				w.Header().Set("Content-Language", string(l))
			}
		}
		next.ServeHTTP(w, r)
	})
}

// languagePost takes the language picker's choice: a language of the
// catalog, kept in the latch_lang cookie, and for a signed-in user saved
// on the account too. Anything else is refused with LangInvalid and
// changes nothing. It returns to the page the picker was on (next,
// checked), or the start.
func (s *Server) languagePost(w http.ResponseWriter, r *http.Request) error {
	f, err := readForm(r, "lang", "back")
	if err != nil {
		return err
	}
	l, ok := s.langs.supported(f["lang"])
	if !ok {
		return statusError(http.StatusBadRequest, messages.LangInvalid)
	}
	ctx := i18n.WithLang(r.Context(), l)
	if u, signedIn := s.protect.Current(r); signedIn && s.Locales != nil {
		if err := s.Locales.SetLocale(ctx, s.appID(ctx), u.ID, string(l)); err != nil {
			return err
		}
		s.Sessions.SetSavedLang(ctx, u.ID, string(l))
		s.Sessions.Flash(ctx, string(messages.LangChanged))
	}
	http.SetCookie(w, &http.Cookie{
		Name: langCookie, Value: string(l), Path: "/", MaxAge: langCookieAge,
		HttpOnly: true, Secure: s.Secure, SameSite: http.SameSiteLaxMode,
	})
	next := s.protect.Next(f["back"])
	if next == "" || next == layout.LanguagePath {
		next = "/"
	}
	return s.redirect(w, r.WithContext(ctx), next)
}

type recipientLocalesKey struct{}

// withRecipientLocales returns ctx carrying find, which names the language
// saved on the account an address belongs to. The message builders
// (mail.go, sms.go, recoverymail.go) take it from the context of the
// request that causes a message.
func withRecipientLocales(ctx context.Context, find func(context.Context, string) (messages.Lang, bool)) context.Context {
	return context.WithValue(ctx, recipientLocalesKey{}, find)
}

// recipientLocale is the language saved on the account address belongs to.
func (s *Server) recipientLocale(ctx context.Context, address string) (messages.Lang, bool) {
	if s.Locales == nil || address == "" {
		return "", false
	}
	loc, err := s.Locales.LocaleOf(ctx, s.appID(ctx), address)
	if err != nil {
		s.Logger.ErrorContext(ctx, "reading the recipient's language failed", "err", err)
		return "", false
	}
	return s.langs.supported(loc)
}

// inRecipientLang returns ctx in the language a message to address goes
// out in: the one saved on the account address belongs to, else the
// language of the request that caused the message (already in ctx).
func inRecipientLang(ctx context.Context, address string) context.Context {
	find, ok := ctx.Value(recipientLocalesKey{}).(func(context.Context, string) (messages.Lang, bool))
	if !ok {
		return ctx
	}
	if l, ok := find(ctx, address); ok {
		return i18n.WithLang(ctx, l)
	}
	return ctx
}
