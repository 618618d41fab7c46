package protect_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/google/uuid"

	"github.com/latch-dev/latch/server/protect"
)

// signedIn is a stand-in for *session.Manager in these examples: a
// session whose user proved who they are age ago (nobody when id is nil).
type signedIn struct {
	id  uuid.UUID
	age time.Duration
}

func (s signedIn) UserID(context.Context) (uuid.UUID, bool) { return s.id, s.id != uuid.Nil }
func (s signedIn) PublicID(context.Context) string          { return "s_example" }
func (s signedIn) AuthAge(context.Context) time.Duration    { return s.age }

func ExampleProtector_RequireUser() {
	// In a Latch server: p := srv.Protect(), and srv.Handle(...) for the route.
	p := protect.New(signedIn{}, protect.Options{})
	reports := p.RequireUser(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, _ := protect.UserFrom(r.Context())
		fmt.Fprintf(w, "reports for %s", u.ID)
	}))

	// A visitor without a session asking for a page goes to the login
	// page, which brings them back.
	rec := httptest.NewRecorder()
	reports.ServeHTTP(rec, httptest.NewRequest("GET", "/reports?year=2026", nil))
	fmt.Println(rec.Code, rec.Header().Get("Location"))

	// An API client gets a 401 with a challenge.
	req := httptest.NewRequest("GET", "/reports", nil)
	req.Header.Set("Accept", "application/json")
	rec = httptest.NewRecorder()
	reports.ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Header().Get("WWW-Authenticate"))

	// A signed-in user gets the page.
	p = protect.New(signedIn{id: uuid.MustParse("6f1c1f9e-0000-4000-8000-000000000001")}, protect.Options{})
	rec = httptest.NewRecorder()
	p.RequireUser(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, _ := protect.UserFrom(r.Context())
		fmt.Fprintf(w, "reports for %s", u.ID)
	})).ServeHTTP(rec, httptest.NewRequest("GET", "/reports", nil))
	fmt.Println(rec.Code, rec.Body.String())
	// Output:
	// 303 /login?next=%2Freports%3Fyear%3D2026
	// 401 Session realm="latch", error="login_required"
	// 200 reports for 6f1c1f9e-0000-4000-8000-000000000001
}

func ExampleProtector_RequireFresh() {
	user := uuid.MustParse("6f1c1f9e-0000-4000-8000-000000000001")
	// Signed in an hour ago: a sensitive action asks to confirm first.
	p := protect.New(signedIn{id: user, age: time.Hour}, protect.Options{})
	payout := p.RequireFresh("/billing", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "payout details changed")
	}))
	rec := httptest.NewRecorder()
	payout.ServeHTTP(rec, httptest.NewRequest("POST", "/billing/payout", nil))
	fmt.Println(rec.Code, rec.Header().Get("Location"))

	// Proved a minute ago: through.
	p = protect.New(signedIn{id: user, age: time.Minute}, protect.Options{})
	rec = httptest.NewRecorder()
	p.RequireFresh("/billing", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "payout details changed")
	})).ServeHTTP(rec, httptest.NewRequest("POST", "/billing/payout", nil))
	fmt.Println(rec.Code, rec.Body.String())
	// Output:
	// 303 /account/confirm?next=%2Fbilling
	// 200 payout details changed
}

func ExampleProtector_RequirePermission() {
	admin := uuid.MustParse("6f1c1f9e-0000-4000-8000-00000000000a")
	// Until roles arrive, any function can decide.
	checker := protect.CheckerFunc(func(ctx context.Context, userID uuid.UUID, permission string) (bool, error) {
		return userID == admin && permission == "reports.export", nil
	})
	export := func(p *protect.Protector) http.Handler {
		return p.RequirePermission("reports.export", checker)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, "exported")
		}))
	}
	for _, id := range []uuid.UUID{admin, uuid.MustParse("6f1c1f9e-0000-4000-8000-000000000002")} {
		rec := httptest.NewRecorder()
		export(protect.New(signedIn{id: id}, protect.Options{})).ServeHTTP(rec, httptest.NewRequest("GET", "/reports/export", nil))
		fmt.Println(rec.Code)
	}
	// Output:
	// 200
	// 403
}
