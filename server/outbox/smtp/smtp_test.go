package smtp_test

import (
	"errors"
	"io"
	"log"
	"mime"
	"mime/multipart"
	"net"
	netmail "net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"

	"github.com/latch-dev/latch/server/outbox"
	"github.com/latch-dev/latch/server/outbox/smtp"
)

// received is one message as the SMTP server got it.
type received struct {
	from string
	to   []string
	data []byte
}

// server is a real SMTP server (go-smtp) on 127.0.0.1. Recipients at
// reject5.test are refused with 550, those at reject4.test with 451.
type server struct {
	mu   sync.Mutex
	msgs []received
}

type session struct {
	srv *server
	cur received
}

func (s *session) Reset()        { s.cur = received{} }
func (s *session) Logout() error { return nil }
func (s *session) Mail(from string, _ *gosmtp.MailOptions) error {
	s.cur.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	switch {
	case strings.HasSuffix(to, "@reject5.test"):
		return &gosmtp.SMTPError{Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 1, 1}, Message: "No such user"}
	case strings.HasSuffix(to, "@reject4.test"):
		return &gosmtp.SMTPError{Code: 451, EnhancedCode: gosmtp.EnhancedCode{4, 3, 0}, Message: "Try again later"}
	}
	s.cur.to = append(s.cur.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.data = b
	s.srv.mu.Lock()
	s.srv.msgs = append(s.srv.msgs, s.cur)
	s.srv.mu.Unlock()
	return nil
}

func (s *server) received() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.msgs...)
}

// start runs the server until the test ends and returns its port.
func start(t *testing.T) (*server, int) {
	t.Helper()
	srv := &server{}
	gs := gosmtp.NewServer(gosmtp.BackendFunc(func(*gosmtp.Conn) (gosmtp.Session, error) {
		return &session{srv: srv}, nil
	}))
	gs.Domain = "localhost"
	gs.ReadTimeout, gs.WriteTimeout = 10*time.Second, 10*time.Second
	gs.ErrorLog = log.New(io.Discard, "", 0)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go gs.Serve(ln) //nolint:errcheck // ends with Close
	t.Cleanup(func() { _ = gs.Close() })
	return srv, ln.Addr().(*net.TCPAddr).Port
}

func sender(t *testing.T, port int) *smtp.Sender {
	t.Helper()
	s, err := smtp.New(smtp.Config{Host: "127.0.0.1", Port: port, From: "Latch <no-reply@latch.test>", TLS: smtp.TLSNone, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func message(to string) outbox.Message {
	return outbox.Message{Kind: outbox.Email, To: to, Subject: "Your Latch code: 123456",
		Text:    "Your code is 123456.\nOr open https://latch.test/m?t=a&b=c\n",
		HTML:    `<p>Your code is <strong>123456</strong>.</p><a href="https://latch.test/m?t=a&amp;b=c">Sign in</a>`,
		Purpose: "login_code"}
}

func TestSendDeliversMultipartMessage(t *testing.T) {
	t.Parallel()
	srv, port := start(t)
	m := message("alice@example.com")
	if err := sender(t, port).Send(t.Context(), m); err != nil {
		t.Fatalf("Send: %v", err)
	}
	got := srv.received()
	if len(got) != 1 {
		t.Fatalf("server received %d messages", len(got))
	}
	if got[0].from != "no-reply@latch.test" || len(got[0].to) != 1 || got[0].to[0] != "alice@example.com" {
		t.Errorf("envelope from %q to %q", got[0].from, got[0].to)
	}
	msg, err := netmail.ReadMessage(strings.NewReader(string(got[0].data)))
	if err != nil {
		t.Fatal(err)
	}
	h := msg.Header
	dec := new(mime.WordDecoder)
	subject, _ := dec.DecodeHeader(h.Get("Subject"))
	for name, want := range map[string]string{"To": "<alice@example.com>", "Subject": m.Subject, "Auto-Submitted": "auto-generated"} {
		v := h.Get(name)
		if name == "Subject" {
			v = subject
		}
		if v != want {
			t.Errorf("header %s = %q, want %q", name, v, want)
		}
	}
	if from, err := netmail.ParseAddress(h.Get("From")); err != nil || from.Address != "no-reply@latch.test" || from.Name != "Latch" {
		t.Errorf("From = %q (%v)", h.Get("From"), err)
	}
	if h.Get("Message-Id") == "" || h.Get("Date") == "" {
		t.Errorf("no Message-ID or Date: %v", h)
	}
	mt, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type %q (%v), want multipart/alternative", h.Get("Content-Type"), err)
	}
	parts := map[string]string{}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	var order []string
	for {
		p, err := mr.NextPart() // decodes quoted-printable
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		b, _ := io.ReadAll(p)
		parts[ct] = strings.ReplaceAll(string(b), "\r\n", "\n")
		order = append(order, ct)
	}
	if len(order) != 2 || order[0] != "text/plain" || order[1] != "text/html" {
		t.Errorf("parts %v, want text/plain then text/html", order)
	}
	if parts["text/plain"] != m.Text {
		t.Errorf("text part %q, want %q", parts["text/plain"], m.Text)
	}
	if parts["text/html"] != m.HTML {
		t.Errorf("html part %q, want %q", parts["text/html"], m.HTML)
	}
}

func TestSendClassifiesFailures(t *testing.T) {
	t.Parallel()
	_, port := start(t)
	s := sender(t, port)
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedPort := closed.Addr().(*net.TCPAddr).Port
	_ = closed.Close()
	for _, tc := range []struct {
		name      string
		s         *smtp.Sender
		to        string
		permanent bool
	}{
		{"550 unknown user", s, "bob@reject5.test", true},
		{"451 try later", s, "bob@reject4.test", false},
		{"malformed address", s, "not an address", true},
		{"connection refused", sender(t, closedPort), "bob@example.com", false},
	} {
		err := tc.s.Send(t.Context(), message(tc.to))
		if err == nil {
			t.Errorf("%s: Send succeeded", tc.name)
			continue
		}
		if outbox.IsPermanent(err) != tc.permanent {
			t.Errorf("%s: IsPermanent(%v) = %v, want %v", tc.name, err, !tc.permanent, tc.permanent)
		}
		if strings.Contains(err.Error(), "123456") {
			t.Errorf("%s: error quotes the body: %v", tc.name, err)
		}
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	t.Parallel()
	for _, cfg := range []smtp.Config{
		{From: "a@b.test"},
		{Host: "h"},
		{Host: "h", From: "not an address"},
		{Host: "h", From: "a@b.test", TLS: "sometimes"},
	} {
		if _, err := smtp.New(cfg); err == nil {
			t.Errorf("New(%+v) succeeded", cfg)
		}
	}
}
