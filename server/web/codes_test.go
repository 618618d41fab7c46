package web_test

import (
	"context"
	"crypto/rand"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/uptrace/bun"

	"github.com/latch-dev/latch/components/email"
	"github.com/latch-dev/latch/db"
	"github.com/latch-dev/latch/server/auth"
	"github.com/latch-dev/latch/server/guard"
	"github.com/latch-dev/latch/server/otp"
	"github.com/latch-dev/latch/server/outbox"
	"github.com/latch-dev/latch/server/token"
	"github.com/latch-dev/latch/server/web"
)

// newCodeParts wires login by email code as main does, with a River worker
// delivering to a mailbox table the test reads like an inbox.
// Text messages land in the same mailbox; the phone flows are returned too.
func newCodeParts(t testing.TB, bdb *bun.DB, pool *pgxpool.Pool, audit auth.Auditor, clk *clock, log *slog.Logger, linkOrigin string, pw auth.Hasher, g *guard.Guard) (*auth.Codes, *auth.Phones, *auth.Passwords, *outbox.Mailbox, auth.Notifier, settingsDelivery) {
	t.Helper()
	mailbox := outbox.NewMailbox(bdb, nil)
	kek := make([]byte, token.KEKSize)
	if _, err := rand.Read(kek); err != nil {
		t.Fatal(err)
	}
	sealer, err := token.NewSealer(kek, token.PurposeOutbox)
	if err != nil {
		t.Fatal(err)
	}
	queue, err := outbox.NewQueue(bdb.DB, outbox.QueueConfig{Sealer: sealer})
	if err != nil {
		t.Fatal(err)
	}
	worker, err := outbox.NewWorker(pool, outbox.Senders{Email: mailbox, SMS: mailbox}, outbox.WorkerConfig{Logger: log, FetchPollInterval: 100 * time.Millisecond, Sealer: sealer})
	if err != nil {
		t.Fatal(err)
	}
	if err := worker.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = worker.Stop(ctx)
	})
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	hasher, err := otp.NewHasher(key)
	if err != nil {
		t.Fatal(err)
	}
	onetime := db.NewOneTime(bdb, db.DefaultSendLimits, clk.Now)
	store := auth.NewGuardedCodes(db.NewCodes(onetime, queue), db.NewUsers(bdb), g)
	codes := auth.NewCodes(db.NewUsers(bdb), store, hasher, web.CodeMessages{Brand: email.Brand{AppName: "Latch"}, Origin: linkOrigin},
		audit, auth.Lifetimes{Code: 10 * time.Minute, Link: 15 * time.Minute}, log)
	phones := auth.NewPhones(db.NewUsers(bdb), store, hasher, testNumbers(t), web.SMSMessages{AppName: "Latch"}, audit,
		auth.PhonesOptions{Clock: clk.Now, Logger: log})
	passwords := auth.NewPasswords(db.NewUsers(bdb), db.NewPasswords(bdb, onetime, queue, clk.Now), store, hasher, pw,
		web.PasswordMessages{Brand: email.Brand{AppName: "Latch"}, Origin: linkOrigin}, audit,
		auth.PasswordsOptions{Blocklist: testBlocklist(), Guard: g, SecondFactors: auth.TOTPRequired{Store: db.NewTwoFactor(bdb)}, Email: true, Numbers: testNumbers(t), Clock: clk.Now, Logger: log})
	return codes, phones, passwords, mailbox, db.NewNotices(bdb, queue), settingsDelivery{store: store, hasher: hasher, queue: queue, origin: linkOrigin}
}

// settingsDelivery is what the settings flows need of the code flows.
type settingsDelivery struct {
	store  *auth.GuardedCodes
	hasher *otp.Hasher
	queue  *outbox.Queue
	origin string
}

// awaitCode reads the newest login code emailed to addr, as its owner
// would.
func (h *harness) awaitCode(t *testing.T, addr string) string {
	t.Helper()
	return sixDigits(t, h.awaitMail(t, addr, "login_code", "login_code_link").Text)
}

// awaitMail waits for the newest message of one of purposes delivered to
// addr.
func (h *harness) awaitMail(t testing.TB, addr string, purposes ...string) outbox.Stored {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		msgs, err := h.mailbox.List(context.Background(), 20)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			if m.To == addr && slices.Contains(purposes, m.Purpose) {
				return m
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no %v message reached %s", purposes, addr)
	return outbox.Stored{}
}

func sixDigits(t testing.TB, text string) string {
	t.Helper()
	for _, f := range strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsDigit(r) }) {
		if len(f) == 6 {
			return f
		}
	}
	t.Fatalf("no code in %q", text)
	return ""
}

func (h *harness) requestCode(addr string) tokenReply {
	return h.api("POST", "/api/v1/otp", "application/x-www-form-urlencoded", url.Values{"username": {addr}}.Encode())
}

func (h *harness) codeGrant(addr, code string) tokenReply {
	return h.api("POST", "/api/v1/token", "application/x-www-form-urlencoded", url.Values{
		"grant_type": {web.CodeGrantType}, "username": {addr}, "code": {code},
	}.Encode())
}

func TestCodeGrantLogsInWithAnEmailedCode(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{codes: true})
	h.signup("otp@example.com", "correct horse staple 1")

	if r := h.requestCode("OTP@example.com"); r.status != 202 || !strings.Contains(r.body, `"status":"sent"`) {
		t.Fatalf("request code: %d %s", r.status, r.body)
	}
	code := h.awaitCode(t, "otp@example.com")
	g := h.codeGrant("otp@example.com", code)
	if g.status != 200 || g.AccessToken == "" || g.RefreshToken == "" || g.UserID == "" {
		t.Fatalf("code grant: %d %s", g.status, g.body)
	}
	me := h.api("GET", "/api/v1/me", "", "", "Authorization", "Bearer "+g.AccessToken)
	if me.status != 200 || !strings.Contains(me.body, "otp@example.com") {
		t.Fatalf("me with a code-grant token: %d %s", me.status, me.body)
	}
	var args []string
	if err := h.db.NewSelect().TableExpr("river_job").ColumnExpr("args::text").Scan(context.Background(), &args); err != nil {
		t.Fatal(err)
	}
	for _, a := range args {
		if strings.Contains(a, code) {
			t.Fatal("the queue holds the code in clear")
		}
	}
	if again := h.codeGrant("otp@example.com", code); again.status != 400 || again.Error != "invalid_grant" {
		t.Fatalf("a used code worked again: %d %s", again.status, again.body)
	}
	var sent, used bool
	for _, e := range h.events(t) {
		sent = sent || (e.Event == "code.send" && e.Outcome == "success")
		used = used || (e.Event == "code.use" && e.Outcome == "success")
		if strings.Contains(strings.Join(values(e.Detail), " "), code) {
			t.Fatal("an audit event holds the code")
		}
	}
	if !sent || !used {
		t.Fatal("code sent/used not audited")
	}
}

func values(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

func TestCodeRequestRevealsNoAccount(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{codes: true})
	h.signup("known@example.com", "correct horse staple 1")
	known := h.requestCode("known@example.com")
	unknown := h.requestCode("nobody@example.com")
	if known.status != unknown.status || known.body != unknown.body {
		t.Fatalf("answers differ: %d %s / %d %s", known.status, known.body, unknown.status, unknown.body)
	}
	h.awaitCode(t, "known@example.com")
	msgs, err := h.mailbox.List(context.Background(), 20)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if m.To == "nobody@example.com" {
			t.Fatal("an email went to an address with no account")
		}
	}
	// Both are rate-limited alike.
	k2, u2 := h.requestCode("known@example.com"), h.requestCode("nobody@example.com")
	if k2.status != 429 || u2.status != 429 || k2.body != u2.body || k2.Error != "slow_down" {
		t.Fatalf("cooldown answers: %d %s / %d %s", k2.status, k2.body, u2.status, u2.body)
	}
	// No code an attacker can guess logs into a missing account.
	if g := h.codeGrant("nobody@example.com", "000000"); g.status != 400 || g.Error != "invalid_grant" {
		t.Fatalf("code grant for an unknown address: %d %s", g.status, g.body)
	}
}

func TestCodeGrantRefusals(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{codes: true})
	h.signup("guess@example.com", "correct horse staple 1")
	h.signup("other@example.com", "correct horse staple 2")
	h.requestCode("guess@example.com")
	code := h.awaitCode(t, "guess@example.com")

	if g := h.codeGrant("other@example.com", code); g.status != 400 || g.Error != "invalid_grant" {
		t.Fatalf("a code for one address worked for another: %d %s", g.status, g.body)
	}
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	for i := 0; i < 5; i++ {
		if g := h.codeGrant("guess@example.com", wrong); g.status != 400 || g.Error != "invalid_grant" {
			t.Fatalf("wrong code %d: %d %s", i, g.status, g.body)
		}
	}
	g := h.codeGrant("guess@example.com", code)
	if g.status != http.StatusTooManyRequests || g.Error != "slow_down" || !strings.Contains(g.ErrorDescription, "Too many wrong codes") {
		t.Fatalf("the right code after five wrong ones: %d %s", g.status, g.body)
	}

	for name, tc := range map[string]struct {
		path, body string
		status     int
		err        string
	}{
		"no username":   {"/api/v1/otp", "", 400, "invalid_request"},
		"bad username":  {"/api/v1/otp", "username=not-an-email", 400, "invalid_request"},
		"hostile":       {"/api/v1/otp", "username=%3Cscript%3E%40x.y", 400, "invalid_request"},
		"duplicated":    {"/api/v1/otp", "username=a%40b.co&username=c%40d.co", 400, "invalid_request"},
		"no code":       {"/api/v1/token", "grant_type=" + url.QueryEscape(web.CodeGrantType) + "&username=guess%40example.com", 400, "invalid_request"},
		"letters":       {"/api/v1/token", "grant_type=" + url.QueryEscape(web.CodeGrantType) + "&username=guess%40example.com&code=abcdef", 400, "invalid_grant"},
		"too long":      {"/api/v1/token", "grant_type=" + url.QueryEscape(web.CodeGrantType) + "&username=guess%40example.com&code=1234567", 400, "invalid_grant"},
		"unknown grant": {"/api/v1/token", "grant_type=otp&username=guess%40example.com&code=123456", 400, "unsupported_grant_type"},
	} {
		t.Run(name, func(t *testing.T) {
			r := h.api("POST", tc.path, "application/x-www-form-urlencoded", tc.body)
			if r.status != tc.status || r.Error != tc.err || r.ErrorDescription == "" {
				t.Fatalf("%d %s", r.status, r.body)
			}
		})
	}
	if r := h.api("GET", "/api/v1/otp", "", ""); r.status != 405 {
		t.Fatalf("GET /api/v1/otp: %d", r.status)
	}
}

func TestCodeGrantOffWithoutDelivery(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	if r := h.requestCode("a@example.com"); r.status != 404 {
		t.Fatalf("POST /api/v1/otp without delivery: %d %s", r.status, r.body)
	}
	if g := h.codeGrant("a@example.com", "123456"); g.status != 400 || g.Error != "unsupported_grant_type" {
		t.Fatalf("code grant without delivery: %d %s", g.status, g.body)
	}
}
