package db_test

import (
	"context"
	"errors"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/db"
	"github.com/latch-dev/latch/db/dbtest"
	"github.com/latch-dev/latch/server/auth"
	"github.com/latch-dev/latch/server/otp"
	"github.com/latch-dev/latch/server/outbox"
	"github.com/latch-dev/latch/server/phone"
)

// sentBox records the messages queued with codes, in place of the outbox.
type sentBox struct {
	mu   sync.Mutex
	msgs []outbox.Message
}

func (b *sentBox) Enqueue(_ context.Context, _ bun.Tx, m outbox.Message) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.msgs = append(b.msgs, m)
	return nil
}

// to lists the messages queued for number that will be sent (not decoys).
func (b *sentBox) to(number string) []outbox.Message {
	return b.filter(number, false)
}

// decoys lists the decoys queued for number: never sent, only there so a
// request for an unknown number costs what a real one does.
func (b *sentBox) decoys(number string) []outbox.Message {
	return b.filter(number, true)
}

func (b *sentBox) filter(number string, decoy bool) []outbox.Message {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []outbox.Message
	for _, m := range b.msgs {
		if m.To == number && m.Decoy == decoy {
			out = append(out, m)
		}
	}
	return out
}

var sixDigitsRE = regexp.MustCompile(`\b\d{6}\b`)

// lastCode is the code in the newest SMS to number.
func (b *sentBox) lastCode(t *testing.T, number string) string {
	t.Helper()
	msgs := b.to(number)
	if len(msgs) == 0 {
		t.Fatalf("no SMS to %s", number)
	}
	m := msgs[len(msgs)-1]
	if m.Kind != outbox.SMS || m.Subject != "" || m.HTML != "" {
		t.Fatalf("message to %s is not a plain SMS: %+v", number, m)
	}
	return sixDigitsRE.FindString(m.Text)
}

type smsText struct{}

func (smsText) SMSCode(_ context.Context, p otp.Purpose, to, code string, _ time.Duration) (auth.Message, error) {
	return auth.Message{To: to, Text: string(p) + " code " + code, Purpose: string(p)}, nil
}

type phoneWorld struct {
	users  *db.Users
	phones *auth.Phones
	sent   *sentBox
	app    uuid.UUID
	mu     sync.Mutex
	now    time.Time
}

func (w *phoneWorld) clock() time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.now
}

// later moves past the send cooldown.
func (w *phoneWorld) later() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.now = w.now.Add(2 * time.Minute)
}

func newPhoneWorld(t *testing.T, wrap func(auth.PhoneUserStore) auth.PhoneUserStore) *phoneWorld {
	t.Helper()
	bdb := dbtest.Open(t)
	h, err := otp.NewHasher(make([]byte, otp.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	numbers, err := phone.New("GB", []string{"GB", "US", "FR"})
	if err != nil {
		t.Fatal(err)
	}
	w := &phoneWorld{users: db.NewUsers(bdb), sent: &sentBox{}, app: defaultApp(t, bdb), now: time.Now().UTC()}
	var store auth.PhoneUserStore = w.users
	if wrap != nil {
		store = wrap(w.users)
	}
	codes := db.NewCodes(db.NewOneTime(bdb, db.DefaultSendLimits, w.clock), w.sent)
	w.phones = auth.NewPhones(store, codes, h, numbers, smsText{}, db.NewAudit(bdb, w.clock), auth.PhonesOptions{Clock: w.clock})
	return w
}

func wantCode(t *testing.T, err error, code messages.Key) {
	t.Helper()
	var ae *auth.Error
	if !errors.As(err, &ae) || ae.Code != code {
		t.Fatalf("err %v, want %s", err, code)
	}
}

// signup runs a whole phone signup and returns the user and whether it
// was created.
func (w *phoneWorld) signup(t *testing.T, input string) (auth.User, bool) {
	t.Helper()
	ctx := context.Background()
	number, err := w.phones.RequestSignup(ctx, w.app, input)
	if err != nil {
		t.Fatal(err)
	}
	u, created, err := w.phones.VerifySignup(ctx, w.app, number, w.sent.lastCode(t, number))
	if err != nil {
		t.Fatal(err)
	}
	return u, created
}

func TestPhoneSignupNeverDuplicates(t *testing.T) {
	t.Parallel()
	w := newPhoneWorld(t, nil)
	first, created := w.signup(t, "07400 123456")
	if !created {
		t.Fatal("first signup did not create an account")
	}
	w.later()
	second, created := w.signup(t, "+44 7400 123456")
	if created || second.ID != first.ID {
		t.Fatalf("second signup: created %v, user %s, want the first user %s", created, second.ID, first.ID)
	}
	acct, err := w.users.Account(context.Background(), w.app, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(acct.Identities) != 1 || acct.Identities[0].Kind != auth.IdentityPhone ||
		acct.Identities[0].Value != "+447400123456" || acct.Identities[0].VerifiedAt == nil {
		t.Fatalf("identities %+v", acct.Identities)
	}
}

// staleLookup misses the number once, as a signup racing another sees it.
type staleLookup struct {
	auth.PhoneUserStore
	once sync.Once
}

func (s *staleLookup) UserByVerifiedPhone(ctx context.Context, appID uuid.UUID, number string) (auth.User, error) {
	stale := false
	s.once.Do(func() { stale = true })
	if stale {
		return auth.User{}, auth.ErrNotFound
	}
	return s.PhoneUserStore.UserByVerifiedPhone(ctx, appID, number)
}

func TestPhoneSignupLosingARaceLogsInToTheWinner(t *testing.T) {
	t.Parallel()
	var stale *staleLookup
	w := newPhoneWorld(t, func(s auth.PhoneUserStore) auth.PhoneUserStore {
		stale = &staleLookup{PhoneUserStore: s}
		return stale
	})
	// The winner is already written when the loser looks and misses it.
	winner := auth.User{ID: uuid.Must(uuid.NewV7()), AppID: w.app, Status: auth.StatusActive, CreatedAt: time.Now().UTC()}
	if err := w.users.CreatePhoneUser(context.Background(), winner, "+447400123456"); err != nil {
		t.Fatal(err)
	}
	u, created := w.signup(t, "+447400123456")
	if created || u.ID != winner.ID {
		t.Fatalf("loser: created %v user %s, want winner %s", created, u.ID, winner.ID)
	}
}

func TestCreatePhoneUserConcurrently(t *testing.T) {
	t.Parallel()
	w := newPhoneWorld(t, nil)
	var wg sync.WaitGroup
	results := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			u := auth.User{ID: uuid.Must(uuid.NewV7()), AppID: w.app, Status: auth.StatusActive, CreatedAt: time.Now().UTC()}
			results <- w.users.CreatePhoneUser(context.Background(), u, "+33612345678")
		})
	}
	wg.Wait()
	close(results)
	ok := 0
	for err := range results {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, auth.ErrIdentityTaken):
			t.Fatal(err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d signups created an account, want 1", ok)
	}
}

func TestPhoneOfOneUserCannotBeAddedToAnother(t *testing.T) {
	t.Parallel()
	w := newPhoneWorld(t, nil)
	ctx := context.Background()
	a := newUser(t, w.app, "a@example.com")
	b := newUser(t, w.app, "b@example.com")
	for _, u := range []auth.NewPasswordUser{a, b} {
		if err := w.users.CreatePasswordUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	number, err := w.phones.RequestAdd(ctx, w.app, a.User.ID, "+1 (201) 555-0123")
	if err != nil {
		t.Fatal(err)
	}
	added, err := w.phones.VerifyAdd(ctx, w.app, a.User.ID, number, w.sent.lastCode(t, number))
	if err != nil || !added {
		t.Fatalf("A adds the number: added %v err %v", added, err)
	}
	// A verified email and a verified phone now belong to one user.
	if u, err := w.users.UserByVerifiedPhone(ctx, w.app, number); err != nil || u.ID != a.User.ID {
		t.Fatalf("phone owner %s %v", u.ID, err)
	}

	// B is sent a code (nothing tells B the number is taken)...
	w.later()
	if _, err := w.phones.RequestAdd(ctx, w.app, b.User.ID, number); err != nil {
		t.Fatalf("B's request: %v", err)
	}
	// ...and is refused only once the code proves B holds the phone.
	_, err = w.phones.VerifyAdd(ctx, w.app, b.User.ID, number, w.sent.lastCode(t, number))
	wantCode(t, err, messages.PhoneTaken)
	acct, err := w.users.Account(ctx, w.app, b.User.ID)
	if err != nil || len(acct.Identities) != 1 {
		t.Fatalf("B's identities %+v %v", acct.Identities, err)
	}

	// Adding it again to A is harmless.
	w.later()
	if _, err := w.phones.RequestAdd(ctx, w.app, a.User.ID, number); err != nil {
		t.Fatal(err)
	}
	added, err = w.phones.VerifyAdd(ctx, w.app, a.User.ID, number, w.sent.lastCode(t, number))
	if err != nil || added {
		t.Fatalf("A adds it again: added %v err %v", added, err)
	}
}

func TestPhoneCodeIsBoundToItsUserAndPurpose(t *testing.T) {
	t.Parallel()
	w := newPhoneWorld(t, nil)
	ctx := context.Background()
	owner, _ := w.signup(t, "+447400123456")
	number := "+447400123456"

	// A login code cannot add the number to an account...
	w.later()
	if _, err := w.phones.RequestLogin(ctx, w.app, number); err != nil {
		t.Fatal(err)
	}
	login := w.sent.lastCode(t, number)
	_, err := w.phones.VerifyAdd(ctx, w.app, owner.ID, number, login)
	wantCode(t, err, messages.CodeInvalid)
	// ...nor sign up; it still logs in.
	_, _, err = w.phones.VerifySignup(ctx, w.app, number, login)
	wantCode(t, err, messages.CodeInvalid)
	if u, err := w.phones.VerifyLogin(ctx, w.app, number, login); err != nil || u.ID != owner.ID {
		t.Fatalf("login: %s %v", u.ID, err)
	}

	// A signup code does not log in.
	w.later()
	if _, err := w.phones.RequestSignup(ctx, w.app, number); err != nil {
		t.Fatal(err)
	}
	_, err = w.phones.VerifyLogin(ctx, w.app, number, w.sent.lastCode(t, number))
	wantCode(t, err, messages.CodeInvalid)

	// A code to add the number, issued to one user, adds nothing for another.
	other := newUser(t, w.app, "other@example.com")
	if err := w.users.CreatePasswordUser(ctx, other); err != nil {
		t.Fatal(err)
	}
	w.later()
	if _, err := w.phones.RequestAdd(ctx, w.app, owner.ID, number); err != nil {
		t.Fatal(err)
	}
	_, err = w.phones.VerifyAdd(ctx, w.app, other.User.ID, number, w.sent.lastCode(t, number))
	wantCode(t, err, messages.CodeInvalid)
}

func TestPhoneCodeExhaustion(t *testing.T) {
	t.Parallel()
	w := newPhoneWorld(t, nil)
	ctx := context.Background()
	number, err := w.phones.RequestSignup(ctx, w.app, "+33 6 12 34 56 78")
	if err != nil {
		t.Fatal(err)
	}
	code := w.sent.lastCode(t, number)
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	for i := 1; i < otp.DefaultMaxAttempts; i++ {
		_, _, err := w.phones.VerifySignup(ctx, w.app, number, wrong)
		wantCode(t, err, messages.CodeInvalid)
	}
	_, _, err = w.phones.VerifySignup(ctx, w.app, number, wrong)
	wantCode(t, err, messages.CodeExhausted)
	_, _, err = w.phones.VerifySignup(ctx, w.app, number, code)
	wantCode(t, err, messages.CodeExhausted)
	if _, err := w.users.UserByVerifiedPhone(ctx, w.app, number); !errors.Is(err, auth.ErrNotFound) {
		t.Fatalf("an exhausted code created an account: %v", err)
	}
}

func TestUnknownPhoneLoginSendsNothing(t *testing.T) {
	t.Parallel()
	w := newPhoneWorld(t, nil)
	ctx := context.Background()
	w.signup(t, "+447400123456")
	w.later()
	known, errKnown := w.phones.RequestLogin(ctx, w.app, "+447400123456")
	unknown, errUnknown := w.phones.RequestLogin(ctx, w.app, "+447400654321")
	if errKnown != nil || errUnknown != nil || known != "+447400123456" || unknown != "+447400654321" {
		t.Fatalf("known %q %v, unknown %q %v", known, errKnown, unknown, errUnknown)
	}
	if n := len(w.sent.to(unknown)); n != 0 {
		t.Fatalf("%d messages sent to an unknown number", n)
	}
	if n := len(w.sent.decoys(unknown)); n != 1 {
		t.Fatalf("%d decoys queued for the unknown number, want 1 (same work as a real send)", n)
	}
	if n := len(w.sent.to(known)); n != 2 { // the signup code and the login code
		t.Fatalf("%d messages to the known number, want 2", n)
	}
	// The unknown number is limited the same way, and no code logs in.
	_, err := w.phones.RequestLogin(ctx, w.app, unknown)
	wantCode(t, err, messages.CodeSendLimited)
	_, err = w.phones.RequestLogin(ctx, w.app, known)
	wantCode(t, err, messages.CodeSendLimited)
	for _, code := range []string{"000000", "123456"} {
		_, err = w.phones.VerifyLogin(ctx, w.app, unknown, code)
		wantCode(t, err, messages.CodeInvalid)
	}
}

func TestPhoneRefusesBadNumbersBeforeStoringAnything(t *testing.T) {
	t.Parallel()
	w := newPhoneWorld(t, nil)
	ctx := context.Background()
	for input, want := range map[string]messages.Key{
		"":                  messages.PhoneRequired,
		"+":                 messages.PhoneInvalid,
		"+81 90 1234 5678":  messages.PhoneCountryNotAllowed,
		"+44 20 7946 0018":  messages.PhoneNotMobile,
		"+447400123456\x00": messages.PhoneInvalid,
	} {
		_, err := w.phones.RequestLogin(ctx, w.app, input)
		var ae *auth.Error
		if !errors.As(err, &ae) || ae.Code != messages.FormInvalid || ae.Fields[auth.FieldPhone] != want {
			t.Errorf("%q: %v, want field problem %s", input, err, want)
		}
	}
	// A number handed back not in E.164 is not looked up at all.
	_, err := w.phones.VerifyLogin(ctx, w.app, "07400 123456", "123456")
	wantCode(t, err, messages.CodeInvalid)
	if len(w.sent.msgs) != 0 {
		t.Fatalf("%d messages queued for refused numbers", len(w.sent.msgs))
	}
}
