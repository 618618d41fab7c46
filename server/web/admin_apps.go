package web

import (
	"cmp"
	"errors"
	"net/http"
	"strings"

	"github.com/google/uuid"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/i18n"
	"github.com/latch-dev/latch/components/pages"
	"github.com/latch-dev/latch/server/admin"
	"github.com/latch-dev/latch/server/apps"
	"github.com/latch-dev/latch/server/token"
)

// appsDone are the outcomes a reloaded apps page reports.
var appsDone = map[string]messages.Key{"created": messages.AdminAppCreated, "renamed": messages.AdminAppRenamed}

// appProblems are the written errors of an app setting that breaks a rule
// (apps.Invalid's Field), and the create form's field each is about.
var appProblems = map[string]struct {
	key   messages.Key
	field string
}{
	"slug":            {messages.AdminAppSlugBad, pages.AdminAppSlugField},
	"name":            {messages.AdminAppNameBad, pages.AdminAppNameField},
	"brand":           {messages.AdminAppBrandBad, pages.AdminAppBrandField},
	"url":             {messages.AdminAppURLBad, pages.AdminAppURLField},
	"redirect-origin": {messages.AdminAppOriginBad, pages.AdminAppOriginsField},
}

// appProblem turns an error of admin.Console's app changes into the
// written error and status the apps page shows; ok is false for an
// error that is not the operator's (it goes to the log).
func appProblem(err error) (v pages.AdminApps, status int, ok bool) {
	var inv *apps.Invalid
	switch {
	case errors.As(err, &inv):
		p, known := appProblems[inv.Field]
		if !known {
			return v, 0, false
		}
		v.Problem, v.ProblemField = p.key, p.field
		return v, http.StatusUnprocessableEntity, true
	case errors.Is(err, apps.ErrDuplicate):
		v.Problem, v.ProblemField = messages.AdminAppDuplicate, pages.AdminAppSlugField
		return v, http.StatusConflict, true
	case errors.Is(err, admin.ErrNoApps):
		v.Problem = messages.AdminAppsOff
		return v, http.StatusNotFound, true
	case errors.Is(err, apps.ErrNotFound):
		v.Problem = messages.AdminAppNotFound
		return v, http.StatusNotFound, true
	}
	return v, 0, false
}

// adminApps lists the deployment's apps, with the forms creating and
// renaming them.
func (s *Server) adminApps(w http.ResponseWriter, r *http.Request, actor uuid.UUID) error {
	return s.adminAppsAnswer(w, r, actor, http.StatusOK, pages.AdminApps{Notice: appsDone[queryValue(r, "done")]})
}

func (s *Server) adminAppsAnswer(w http.ResponseWriter, r *http.Request, actor uuid.UUID, status int, v pages.AdminApps) error {
	p, nav, err := s.adminPage(r, i18n.T(r.Context(), messages.AdminAppsTitle), actor)
	if err != nil {
		return err
	}
	nav.Current = pages.AdminAppsPath
	v.Nav, v.Off = nav, !s.Admin.AppsOn()
	if !v.Off {
		all, err := s.Admin.Apps(r.Context())
		if err != nil {
			return err
		}
		for _, a := range all {
			row := pages.AdminApp{Slug: a.Slug, Name: a.Name, PublicURL: a.PublicURL, Brand: a.Brand(),
				RedirectOrigins: a.RedirectOrigins, Audience: token.AppAudience(a.ID), Default: a.ID == s.AppID}
			if row.Default {
				// The default app's origin and brand are configured
				// (LATCH_PUBLIC_URL, LATCH_BRAND_NAME) unless set here.
				row.PublicURL = cmp.Or(a.PublicURL, s.PublicOrigin)
				a.Default = true
				row.Brand = a.BrandFor(s.Brand.Name)
			}
			v.Apps = append(v.Apps, row)
		}
	}
	s.render(w, r, status, pages.AdminAppsPage(p, v))
	return nil
}

// adminAppCreate creates an app with the rules and the audit event of
// `latch apps create`. Refused input is shown again, as typed, with the
// written reason, and nothing is stored.
func (s *Server) adminAppCreate(w http.ResponseWriter, r *http.Request, actor uuid.UUID) error {
	form, err := readForm(r, pages.AdminAppSlugField, pages.AdminAppNameField, pages.AdminAppURLField,
		pages.AdminAppBrandField, pages.AdminAppOriginsField)
	if err != nil {
		return err
	}
	in := apps.Input{Slug: form[pages.AdminAppSlugField], Name: form[pages.AdminAppNameField],
		PublicURL: form[pages.AdminAppURLField], BrandName: form[pages.AdminAppBrandField],
		RedirectOrigins: strings.Fields(form[pages.AdminAppOriginsField])}
	_, err = s.Admin.CreateApp(r.Context(), actor, in)
	if err == nil {
		return s.redirect(w, r, pages.AdminAppsPath+"?done=created")
	}
	v, status, ok := appProblem(err)
	if !ok {
		return err
	}
	v.Create = pages.AdminAppForm{Slug: form[pages.AdminAppSlugField], Name: form[pages.AdminAppNameField],
		URL: form[pages.AdminAppURLField], Brand: form[pages.AdminAppBrandField], Origins: form[pages.AdminAppOriginsField]}
	return s.adminAppsAnswer(w, r, actor, status, v)
}

// adminAppRename renames an app with the rules and the audit event of
// `latch apps rename`.
func (s *Server) adminAppRename(w http.ResponseWriter, r *http.Request, actor uuid.UUID) error {
	form, err := readForm(r, pages.AdminAppSlugField, pages.AdminAppNameField)
	if err != nil {
		return err
	}
	_, err = s.Admin.RenameApp(r.Context(), actor, form[pages.AdminAppSlugField], form[pages.AdminAppNameField])
	if err == nil {
		return s.redirect(w, r, pages.AdminAppsPath+"?done=renamed")
	}
	v, status, ok := appProblem(err)
	if !ok {
		return err
	}
	v.ProblemField = ""
	v.RenameSlug, v.RenameName = form[pages.AdminAppSlugField], form[pages.AdminAppNameField]
	return s.adminAppsAnswer(w, r, actor, status, v)
}
