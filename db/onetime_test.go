package db_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/latch-dev/latch/db"
	"github.com/latch-dev/latch/db/dbtest"
	"github.com/latch-dev/latch/server/otp"
)

// oneTimeWorld is a database with a one-time token store on a clock the
// test controls, and a code hasher.
type oneTimeWorld struct {
	store  *db.OneTime
	hasher *otp.Hasher
	app    uuid.UUID
	now    time.Time
}

func newOneTimeWorld(t *testing.T) *oneTimeWorld {
	t.Helper()
	bdb := dbtest.Open(t)
	h, err := otp.NewHasher(make([]byte, otp.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	w := &oneTimeWorld{hasher: h, app: defaultApp(t, bdb), now: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}
	w.store = db.NewOneTime(bdb, db.SendLimits{Cooldown: time.Minute, PerWindow: 5, Window: time.Hour}, func() time.Time { return w.now })
	return w
}

// send stores a new code for the purpose and identity and returns it.
func (w *oneTimeWorld) send(t *testing.T, p otp.Purpose, identity string) string {
	t.Helper()
	code := otp.NewCode()
	if _, err := w.store.Create(context.Background(), otp.Issue{
		AppID: w.app, Purpose: p, Channel: otp.ChannelEmail, Identity: identity,
		CodeHash: w.hasher.Code(p, identity, code), TTL: 10 * time.Minute,
	}); err != nil {
		t.Fatalf("Create: %v", err)
	}
	return code
}

func (w *oneTimeWorld) verify(p otp.Purpose, identity, code string) error {
	_, err := w.store.Verify(context.Background(), w.app, p, identity, w.hasher.Code(p, identity, code))
	return err
}

// wrong returns a code other than code.
func wrong(code string) string {
	if code == "000000" {
		return "000001"
	}
	return "000000"
}

func TestOneTimeCodeIsSingleUse(t *testing.T) {
	t.Parallel()
	w := newOneTimeWorld(t)
	code := w.send(t, otp.PurposeLogin, "ada@example.com")
	rec, err := w.store.Verify(context.Background(), w.app, otp.PurposeLogin, "ada@example.com", w.hasher.Code(otp.PurposeLogin, "ada@example.com", code))
	if err != nil || rec.Identity != "ada@example.com" || rec.Purpose != otp.PurposeLogin || !rec.ConsumedAt.Equal(w.now) || rec.UserID != nil {
		t.Fatalf("Verify = %+v %v", rec, err)
	}
	if err := w.verify(otp.PurposeLogin, "ada@example.com", code); !errors.Is(err, otp.ErrUsed) {
		t.Fatalf("second Verify = %v, want ErrUsed", err)
	}
}

func TestOneTimeCodeRefusals(t *testing.T) {
	t.Parallel()
	w := newOneTimeWorld(t)
	const ada = "ada@example.com"

	// Expiry: valid one microsecond before, refused at expires_at.
	code := w.send(t, otp.PurposeVerifyEmail, ada)
	w.now = w.now.Add(10 * time.Minute)
	if err := w.verify(otp.PurposeVerifyEmail, ada, code); !errors.Is(err, otp.ErrExpired) {
		t.Fatalf("Verify at expiry = %v, want ErrExpired", err)
	}
	w.now = w.now.Add(time.Hour)
	code = w.send(t, otp.PurposeVerifyEmail, ada)
	w.now = w.now.Add(10*time.Minute - time.Microsecond)
	if err := w.verify(otp.PurposeVerifyEmail, ada, code); err != nil {
		t.Fatalf("Verify just before expiry = %v", err)
	}

	// Wrong purpose: a login code does not verify an email, and is not
	// spent by trying.
	const carol = "carol@example.com"
	w.now = w.now.Add(time.Hour)
	code = w.send(t, otp.PurposeLogin, carol)
	if err := w.verify(otp.PurposeVerifyEmail, carol, code); !errors.Is(err, otp.ErrInvalid) {
		t.Fatalf("login code as verify_email = %v, want ErrInvalid", err)
	}
	if err := w.verify(otp.PurposeResetPassword, carol, code); !errors.Is(err, otp.ErrInvalid) {
		t.Fatalf("login code as reset_password = %v, want ErrInvalid", err)
	}
	// Wrong identity.
	if err := w.verify(otp.PurposeLogin, "bob@example.com", code); !errors.Is(err, otp.ErrInvalid) {
		t.Fatalf("Carol's code for Bob = %v, want ErrInvalid", err)
	}
	if err := w.verify(otp.PurposeLogin, carol, code); err != nil {
		t.Fatalf("login code as login = %v", err)
	}
}

func TestOneTimeCodeExhaustedAfterMaxWrongAttempts(t *testing.T) {
	t.Parallel()
	w := newOneTimeWorld(t)
	const ada = "ada@example.com"
	code := w.send(t, otp.PurposeLogin, ada)
	for i := 1; i < otp.DefaultMaxAttempts; i++ {
		if err := w.verify(otp.PurposeLogin, ada, wrong(code)); !errors.Is(err, otp.ErrInvalid) {
			t.Fatalf("wrong attempt %d = %v, want ErrInvalid", i, err)
		}
	}
	if err := w.verify(otp.PurposeLogin, ada, wrong(code)); !errors.Is(err, otp.ErrExhausted) {
		t.Fatalf("last wrong attempt = %v, want ErrExhausted", err)
	}
	if err := w.verify(otp.PurposeLogin, ada, code); !errors.Is(err, otp.ErrExhausted) {
		t.Fatalf("right code after the last wrong = %v, want ErrExhausted", err)
	}

	// One wrong attempt fewer leaves the code usable.
	w.now = w.now.Add(time.Hour)
	code = w.send(t, otp.PurposeLogin, ada)
	for range otp.DefaultMaxAttempts - 1 {
		_ = w.verify(otp.PurposeLogin, ada, wrong(code))
	}
	if err := w.verify(otp.PurposeLogin, ada, code); err != nil {
		t.Fatalf("right code after all but one wrong = %v", err)
	}
}

func TestOneTimeNewerCodeVoidsOlder(t *testing.T) {
	t.Parallel()
	w := newOneTimeWorld(t)
	const ada = "ada@example.com"
	older := w.send(t, otp.PurposeLogin, ada)
	other := w.send(t, otp.PurposeVerifyEmail, "bob@example.com")
	w.now = w.now.Add(2 * time.Minute)
	newer := w.send(t, otp.PurposeLogin, ada)
	if older == newer {
		newer = w.send(t, otp.PurposeLogin, ada) // one in a million
	}
	if err := w.verify(otp.PurposeLogin, ada, older); !errors.Is(err, otp.ErrInvalid) {
		t.Fatalf("older code = %v, want ErrInvalid", err)
	}
	if err := w.verify(otp.PurposeLogin, ada, newer); err != nil {
		t.Fatalf("newer code = %v", err)
	}
	// Another identity's code is untouched.
	if err := w.verify(otp.PurposeVerifyEmail, "bob@example.com", other); err != nil {
		t.Fatalf("Bob's code = %v", err)
	}
}

func TestOneTimeSendLimits(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newOneTimeWorld(t)
	const ada = "ada@example.com"
	create := func(p otp.Purpose) error {
		_, err := w.store.Create(ctx, otp.Issue{
			AppID: w.app, Purpose: p, Channel: otp.ChannelEmail, Identity: ada,
			CodeHash: w.hasher.Code(p, ada, otp.NewCode()), TTL: 10 * time.Minute,
		})
		return err
	}
	start := w.now
	if err := create(otp.PurposeLogin); err != nil {
		t.Fatal(err)
	}
	// Cooldown, per purpose.
	w.now = start.Add(45 * time.Second)
	err := create(otp.PurposeLogin)
	var limited *otp.SendLimitError
	if !errors.As(err, &limited) || limited.Wait != 15*time.Second || !errors.Is(err, otp.ErrSendLimited) {
		t.Fatalf("Create within the cooldown = %v, want a wait of 15s", err)
	}
	// Another flow for the same identity is not held up by it.
	if err := create(otp.PurposeVerifyEmail); err != nil {
		t.Fatalf("Create for another purpose within the cooldown = %v", err)
	}
	// Another identity is not limited.
	if _, err := w.store.Create(ctx, otp.Issue{AppID: w.app, Purpose: otp.PurposeLogin, Channel: otp.ChannelSMS,
		Identity: "+447700900123", CodeHash: make([]byte, 32), TTL: time.Minute}); err != nil {
		t.Fatalf("Create for another identity = %v", err)
	}
	// Three more, a minute apart, make five in the hour, every purpose counted.
	for i := 1; i <= 3; i++ {
		w.now = start.Add(time.Duration(i) * time.Minute)
		if err := create(otp.PurposeLogin); err != nil {
			t.Fatalf("code %d = %v", i+2, err)
		}
	}
	w.now = start.Add(30 * time.Minute)
	if err := create(otp.PurposeLogin); !errors.As(err, &limited) || limited.Wait != 30*time.Minute {
		t.Fatalf("sixth code in the hour = %v, want a wait of 30m", err)
	}
	// Once the first falls out of the window, one more is allowed.
	w.now = start.Add(time.Hour + time.Microsecond)
	if err := create(otp.PurposeLogin); err != nil {
		t.Fatalf("code after the window moved = %v", err)
	}
	// The refused attempts did not void the outstanding code.
	if n, err := w.store.Prune(ctx); err != nil || n != 0 {
		t.Fatalf("Prune = %d %v, want nothing old enough", n, err)
	}
	w.now = w.now.Add(3 * time.Hour)
	if n, err := w.store.Prune(ctx); err != nil || n != 7 {
		t.Fatalf("Prune = %d %v, want all 7 rows", n, err)
	}
}

func TestOneTimeConcurrentVerifySucceedsOnce(t *testing.T) {
	t.Parallel()
	w := newOneTimeWorld(t)
	const ada = "ada@example.com"
	code := w.send(t, otp.PurposeLogin, ada)
	var (
		wg        sync.WaitGroup
		mu        sync.Mutex
		successes int
		others    []error
	)
	start := make(chan struct{})
	for range 10 {
		wg.Go(func() {
			<-start
			err := w.verify(otp.PurposeLogin, ada, code)
			mu.Lock()
			defer mu.Unlock()
			if err == nil {
				successes++
			} else {
				others = append(others, err)
			}
		})
	}
	close(start)
	wg.Wait()
	if successes != 1 {
		t.Fatalf("%d of 10 concurrent Verifys succeeded, want 1", successes)
	}
	for _, err := range others {
		if !errors.Is(err, otp.ErrUsed) {
			t.Fatalf("a losing Verify = %v, want ErrUsed", err)
		}
	}
}

func TestOneTimeLink(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newOneTimeWorld(t)
	const ada = "ada@example.com"
	link := otp.NewLink()
	code := otp.NewCode()
	if _, err := w.store.Create(ctx, otp.Issue{
		AppID: w.app, Purpose: otp.PurposeLogin, Channel: otp.ChannelEmail, Identity: ada,
		CodeHash: w.hasher.Code(otp.PurposeLogin, ada, code), Selector: link.Selector, VerifierHash: link.VerifierHash,
		TTL: 15 * time.Minute,
	}); err != nil {
		t.Fatal(err)
	}
	sel, vh, err := otp.ParseLink(link.Token)
	if err != nil {
		t.Fatal(err)
	}
	// Wrong purpose and wrong app leave the link untouched.
	if _, err := w.store.ConsumeLink(ctx, w.app, otp.PurposeResetPassword, sel, vh); !errors.Is(err, otp.ErrInvalid) {
		t.Fatalf("login link as reset = %v, want ErrInvalid", err)
	}
	if _, err := w.store.ConsumeLink(ctx, uuid.New(), otp.PurposeLogin, sel, vh); !errors.Is(err, otp.ErrInvalid) {
		t.Fatalf("link of another app = %v, want ErrInvalid", err)
	}
	// A wrong verifier is refused.
	forged := otp.NewLink()
	if _, err := w.store.ConsumeLink(ctx, w.app, otp.PurposeLogin, sel, forged.VerifierHash); !errors.Is(err, otp.ErrInvalid) {
		t.Fatalf("forged verifier = %v, want ErrInvalid", err)
	}
	if _, err := w.store.ConsumeLink(ctx, w.app, otp.PurposeLogin, forged.Selector, forged.VerifierHash); !errors.Is(err, otp.ErrInvalid) {
		t.Fatalf("unknown selector = %v, want ErrInvalid", err)
	}
	rec, err := w.store.ConsumeLink(ctx, w.app, otp.PurposeLogin, sel, vh)
	if err != nil || rec.Identity != ada {
		t.Fatalf("ConsumeLink = %+v %v", rec, err)
	}
	if _, err := w.store.ConsumeLink(ctx, w.app, otp.PurposeLogin, sel, vh); !errors.Is(err, otp.ErrUsed) {
		t.Fatalf("second ConsumeLink = %v, want ErrUsed", err)
	}
	// The code sent with the link went with it.
	if err := w.verify(otp.PurposeLogin, ada, code); !errors.Is(err, otp.ErrUsed) {
		t.Fatalf("code after its link was used = %v, want ErrUsed", err)
	}

	// An expired link.
	w.now = w.now.Add(time.Hour)
	link = otp.NewLink()
	if _, err := w.store.Create(ctx, otp.Issue{
		AppID: w.app, Purpose: otp.PurposeLogin, Channel: otp.ChannelEmail, Identity: ada,
		Selector: link.Selector, VerifierHash: link.VerifierHash, TTL: 15 * time.Minute,
	}); err != nil {
		t.Fatal(err)
	}
	w.now = w.now.Add(15 * time.Minute)
	if _, err := w.store.ConsumeLink(ctx, w.app, otp.PurposeLogin, link.Selector, link.VerifierHash); !errors.Is(err, otp.ErrExpired) {
		t.Fatalf("expired link = %v, want ErrExpired", err)
	}
}

func TestOneTimeCreateRefusesBadInput(t *testing.T) {
	t.Parallel()
	w := newOneTimeWorld(t)
	good := otp.Issue{AppID: w.app, Purpose: otp.PurposeLogin, Channel: otp.ChannelEmail, Identity: "ada@example.com", CodeHash: make([]byte, 32), TTL: time.Minute}
	for name, mutate := range map[string]func(*otp.Issue){
		"unknown purpose": func(in *otp.Issue) { in.Purpose = "admin" },
		"unknown channel": func(in *otp.Issue) { in.Channel = "pigeon" },
		"no identity":     func(in *otp.Issue) { in.Identity = "" },
		"no lifetime":     func(in *otp.Issue) { in.TTL = 0 },
		"no secret":       func(in *otp.Issue) { in.CodeHash = nil },
		"half a link":     func(in *otp.Issue) { in.Selector = otp.NewLink().Selector },
	} {
		in := good
		mutate(&in)
		if _, err := w.store.Create(context.Background(), in); err == nil {
			t.Errorf("%s: Create succeeded", name)
		}
	}
}

// A row holding a code and a link lives as long as the link; its code ends
// at CodeTTL, and using either spends both.
func TestOneTimeCodeEndsBeforeItsLink(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newOneTimeWorld(t)
	const ada = "ada@example.com"
	issue := func() (string, otp.Link) {
		t.Helper()
		link, code := otp.NewLink(), otp.NewCode()
		if _, err := w.store.Create(ctx, otp.Issue{
			AppID: w.app, Purpose: otp.PurposeLogin, Channel: otp.ChannelEmail, Identity: ada,
			CodeHash: w.hasher.Code(otp.PurposeLogin, ada, code), Selector: link.Selector, VerifierHash: link.VerifierHash,
			TTL: 15 * time.Minute, CodeTTL: 10 * time.Minute,
		}); err != nil {
			t.Fatal(err)
		}
		return code, link
	}

	code, link := issue()
	w.now = w.now.Add(10 * time.Minute)
	if err := w.verify(otp.PurposeLogin, ada, code); !errors.Is(err, otp.ErrExpired) {
		t.Fatalf("code at 10 minutes = %v, want ErrExpired", err)
	}
	w.now = w.now.Add(5*time.Minute - time.Microsecond)
	if _, err := w.store.ConsumeLink(ctx, w.app, otp.PurposeLogin, link.Selector, link.VerifierHash); err != nil {
		t.Fatalf("link just before 15 minutes = %v", err)
	}

	// The code, still fresh, spends the link.
	w.now = w.now.Add(time.Hour)
	code, link = issue()
	w.now = w.now.Add(10*time.Minute - time.Microsecond)
	if err := w.verify(otp.PurposeLogin, ada, code); err != nil {
		t.Fatalf("code just before 10 minutes = %v", err)
	}
	if _, err := w.store.ConsumeLink(ctx, w.app, otp.PurposeLogin, link.Selector, link.VerifierHash); !errors.Is(err, otp.ErrUsed) {
		t.Fatalf("link after its code was used = %v, want ErrUsed", err)
	}

	// A code may not outlive its row, nor a lifetime be given without one.
	for name, in := range map[string]otp.Issue{
		"longer":  {AppID: w.app, Purpose: otp.PurposeLogin, Channel: otp.ChannelEmail, Identity: ada, CodeHash: make([]byte, 32), TTL: time.Minute, CodeTTL: time.Hour},
		"no code": {AppID: w.app, Purpose: otp.PurposeLogin, Channel: otp.ChannelEmail, Identity: ada, Selector: link.Selector, VerifierHash: link.VerifierHash, TTL: time.Hour, CodeTTL: time.Minute},
	} {
		if _, err := w.store.Create(ctx, in); err == nil {
			t.Errorf("%s: Create succeeded", name)
		}
	}
}
