package twilio_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/latch-dev/latch/server/outbox"
	"github.com/latch-dev/latch/server/outbox/twilio"
)

const (
	sid   = "AC0123456789abcdef0123456789abcdef"
	token = "s3cret-auth-token"
)

type call struct {
	path, user, pass, to, from, body, contentType string
}

// gateway stands in for Twilio: it checks auth, records the form, and
// answers as told by the recipient number.
func gateway(t *testing.T) (*httptest.Server, func() []call) {
	var (
		mu    sync.Mutex
		calls []call
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, _ := r.BasicAuth()
		if err := r.ParseForm(); err != nil {
			t.Error(err)
		}
		mu.Lock()
		calls = append(calls, call{r.URL.Path, user, pass, r.PostForm.Get("To"), r.PostForm.Get("From"), r.PostForm.Get("Body"), r.Header.Get("Content-Type")})
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if r.Method != http.MethodPost || user != sid || pass != token {
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"code": 20003, "message": "Authenticate", "status": 401}`))
			return
		}
		switch r.PostForm.Get("To") {
		case "+15005550001": // Twilio's magic "invalid number"
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"code": 21211, "message": "The 'To' number +15005550001 is not a valid phone number.", "status": 400}`))
		case "+15005550500":
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte(`{"code": 20500, "message": "Internal Server Error", "status": 503}`))
		case "+15005550429":
			w.WriteHeader(http.StatusTooManyRequests)
			w.Write([]byte(`{"code": 20429, "message": "Too Many Requests", "status": 429}`))
		case "+15005550999":
			time.Sleep(500 * time.Millisecond)
			fallthrough
		default:
			w.WriteHeader(http.StatusCreated)
			w.Write([]byte(`{"sid": "SM0123", "status": "queued"}`))
		}
	}))
	t.Cleanup(srv.Close)
	return srv, func() []call {
		mu.Lock()
		defer mu.Unlock()
		return append([]call(nil), calls...)
	}
}

func newSender(t *testing.T, base, tok string, timeout time.Duration) *twilio.Sender {
	t.Helper()
	s, err := twilio.New(twilio.Config{BaseURL: base + "/", AccountSID: sid, AuthToken: tok, From: "+15005550006", Timeout: timeout})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func sms(to string) outbox.Message {
	return outbox.Message{Kind: outbox.SMS, To: to, Text: "Your Latch code is 123456", Purpose: "login_code"}
}

func TestSendPostsTheMessagesAPIShape(t *testing.T) {
	t.Parallel()
	srv, calls := gateway(t)
	if err := newSender(t, srv.URL, token, 5*time.Second).Send(t.Context(), sms("+14155550100")); err != nil {
		t.Fatalf("Send: %v", err)
	}
	got := calls()
	want := call{"/2010-04-01/Accounts/" + sid + "/Messages.json", sid, token, "+14155550100", "+15005550006",
		"Your Latch code is 123456", "application/x-www-form-urlencoded"}
	if len(got) != 1 || got[0] != want {
		t.Fatalf("gateway got %+v, want %+v", got, want)
	}
}

func TestSendClassifiesFailures(t *testing.T) {
	t.Parallel()
	srv, _ := gateway(t)
	good := newSender(t, srv.URL, token, 5*time.Second)
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()
	for _, tc := range []struct {
		name      string
		s         *twilio.Sender
		to        string
		permanent bool
		says      string
	}{
		{"invalid number", good, "+15005550001", true, "status 400, error code 21211"},
		{"bad credentials", newSender(t, srv.URL, "wrong-token", 5*time.Second), "+14155550100", true, "status 401, error code 20003"},
		{"server error", good, "+15005550500", false, "status 503"},
		{"rate limited", good, "+15005550429", false, "status 429"},
		{"timeout", newSender(t, srv.URL, token, 100*time.Millisecond), "+15005550999", false, "timed out"},
		{"connection refused", newSender(t, deadURL, token, 5*time.Second), "+14155550100", false, "request failed"},
	} {
		err := tc.s.Send(t.Context(), sms(tc.to))
		if err == nil {
			t.Errorf("%s: Send succeeded", tc.name)
			continue
		}
		if outbox.IsPermanent(err) != tc.permanent {
			t.Errorf("%s: IsPermanent(%v) = %v, want %v", tc.name, err, !tc.permanent, tc.permanent)
		}
		msg := err.Error()
		if !strings.Contains(msg, tc.says) {
			t.Errorf("%s: error %q does not say %q", tc.name, msg, tc.says)
		}
		for _, secret := range []string{token, "wrong-token", sid, "123456", tc.to, "/Accounts/"} {
			if strings.Contains(msg, secret) {
				t.Errorf("%s: error %q reveals %q", tc.name, msg, secret)
			}
		}
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	t.Parallel()
	for _, cfg := range []twilio.Config{
		{AuthToken: token, From: "+1"},
		{AccountSID: sid, From: "+1"},
		{AccountSID: sid, AuthToken: token},
		{AccountSID: sid, AuthToken: token, From: "+1", BaseURL: "ftp://x"},
	} {
		if _, err := twilio.New(cfg); err == nil {
			t.Errorf("New(%+v) succeeded", cfg)
		}
	}
}
