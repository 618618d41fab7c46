// Package twilio sends outbox SMS through Twilio's Messages API, or any
// gateway speaking its shape: POST {base}/2010-04-01/Accounts/{sid}/Messages.json
// with form fields To, From and Body, authenticated with HTTP basic auth.
package twilio

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/latch-dev/latch/server/outbox"
)

// DefaultBaseURL is Twilio's API.
const DefaultBaseURL = "https://api.twilio.com"

// Config says which account sends, and from which number.
type Config struct {
	BaseURL    string // default DefaultBaseURL
	AccountSID string
	AuthToken  string
	From       string // an E.164 number or a messaging service SID
	Timeout    time.Duration
	Client     *http.Client // default: a client with Timeout
}

// Sender is an outbox.Sender over the Messages API.
type Sender struct {
	endpoint string
	cfg      Config
	client   *http.Client
}

var _ outbox.Sender = (*Sender)(nil)

// New checks cfg and returns a Sender. It fails when the account, token or
// sending number is missing or the base URL is not an http(s) URL.
func New(cfg Config) (*Sender, error) {
	if cfg.AccountSID == "" || cfg.AuthToken == "" || cfg.From == "" {
		return nil, errors.New("twilio: account SID, auth token and from are required")
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, errors.New("twilio: base URL must be an http(s) URL")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	c := cfg.Client
	if c == nil {
		c = &http.Client{Timeout: cfg.Timeout}
	}
	endpoint := strings.TrimSuffix(cfg.BaseURL, "/") + "/2010-04-01/Accounts/" + url.PathEscape(cfg.AccountSID) + "/Messages.json"
	return &Sender{endpoint: endpoint, cfg: cfg, client: c}, nil
}

// apiError is the body of a failed request, as Twilio sends it.
type apiError struct {
	Code int `json:"code"`
}

// Send posts m, an outbox.SMS. A 4xx answer (a bad number, a refused
// destination, bad credentials) is permanent, except 408 and 429; a 5xx
// answer, a timeout or a network failure is temporary. Errors carry the
// status and the gateway's numeric error code only: never the token, the
// account, the URL, the number or the body.
func (s *Sender) Send(ctx context.Context, m outbox.Message) error {
	if m.Kind != outbox.SMS {
		return outbox.Permanent(fmt.Errorf("twilio: cannot send a %s", m.Kind))
	}
	form := url.Values{"To": {m.To}, "From": {s.cfg.From}, "Body": {m.Text}}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return outbox.Permanent(errors.New("twilio: cannot build the request"))
	}
	req.SetBasicAuth(s.cfg.AccountSID, s.cfg.AuthToken)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		// *url.Error would print the URL, which holds the account SID.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		if errors.Is(err, context.DeadlineExceeded) || (ue != nil && ue.Timeout()) {
			return errors.New("twilio: request timed out")
		}
		return fmt.Errorf("twilio: request failed: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	var ae apiError
	_ = json.Unmarshal(body, &ae)
	err = fmt.Errorf("twilio: status %d, error code %d", resp.StatusCode, ae.Code)
	switch {
	case resp.StatusCode == http.StatusRequestTimeout, resp.StatusCode == http.StatusTooManyRequests:
		return err
	case resp.StatusCode >= 400 && resp.StatusCode < 500:
		return outbox.Permanent(err)
	}
	return err
}
