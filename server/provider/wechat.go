package provider

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// wechatProvider signs in with WeChat Login for websites: the QR page
// (open.weixin.qq.com/connect/qrconnect, scope snsapi_login), then
// sns/oauth2/access_token and sns/userinfo. WeChat speaks OAuth 2 with its
// own names (appid, secret), answers errors as {errcode, errmsg} with
// status 200, supports no PKCE and returns no email: identities are keyed
// by unionid (one person across an organisation's apps) when WeChat gives
// one, else by openid (one person in this app).
type wechatProvider struct {
	c      Config
	client *http.Client
}

func newWeChat(c Config, client *http.Client) (*wechatProvider, error) {
	if c.ClientSecret == "" {
		return nil, fmt.Errorf("provider %s: WeChat needs its AppSecret as the client secret", c.ID)
	}
	if c.AuthBaseURL == "" {
		c.AuthBaseURL = "https://open.weixin.qq.com"
	}
	if c.APIBaseURL == "" {
		c.APIBaseURL = "https://api.weixin.qq.com"
	}
	c.AuthBaseURL = strings.TrimSuffix(c.AuthBaseURL, "/")
	c.APIBaseURL = strings.TrimSuffix(c.APIBaseURL, "/")
	return &wechatProvider{c: c, client: client}, nil
}

func (p *wechatProvider) Config() Config { return p.c }
func (p *wechatProvider) FormPost() bool { return false }

func (p *wechatProvider) AuthURL(_ context.Context, s Start) (string, error) {
	q := url.Values{
		"appid":         {p.c.ClientID},
		"redirect_uri":  {p.c.RedirectURL},
		"response_type": {"code"},
		"scope":         {"snsapi_login"},
		"state":         {s.State},
	}
	// The fragment is WeChat's own marker, kept as its documentation gives it.
	return p.c.AuthBaseURL + "/connect/qrconnect?" + q.Encode() + "#wechat_redirect", nil
}

// wechatError is the error half of every WeChat answer.
type wechatError struct {
	ErrCode int    `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
}

// The WeChat error codes that mean "this answer does not check out" or
// "declined"; every other code (-1 busy, 40001/40125 a wrong AppSecret,
// 40013 a wrong appid, 45009/45011 quotas, 48001 an API not granted) is
// the provider being unavailable to this app.
const (
	wechatInvalidOpenID = 40003 // invalid openid
	wechatBadCode       = 40029 // invalid code
	wechatCodeUsed      = 40163 // code been used
	wechatMissingCode   = 41008 // missing code
	wechatTokenExpired  = 42001 // access_token expired
	wechatCodeExpired   = 42003 // code expired
	wechatScopeMissing  = 50001 // user not authorized this api
)

func (e wechatError) err(step string) error {
	switch e.ErrCode {
	case wechatBadCode, wechatCodeUsed, wechatCodeExpired, wechatMissingCode, wechatTokenExpired, wechatInvalidOpenID:
		return fmt.Errorf("%w: WeChat %s: %d %.200s", ErrRejected, step, e.ErrCode, e.ErrMsg)
	case wechatScopeMissing:
		return fmt.Errorf("%w: WeChat %s: %d %.200s", ErrDenied, step, e.ErrCode, e.ErrMsg)
	}
	// Busy, quotas, a wrong appid or secret, an unauthorized API: nothing
	// the person can fix by trying again now.
	return fmt.Errorf("%w: WeChat %s: %d %.200s", ErrUnavailable, step, e.ErrCode, e.ErrMsg)
}

type wechatToken struct {
	wechatError
	AccessToken  string `json:"access_token"`
	ExpiresIn    int64  `json:"expires_in"`
	RefreshToken string `json:"refresh_token"`
	OpenID       string `json:"openid"`
	Scope        string `json:"scope"`
	UnionID      string `json:"unionid"`
}

type wechatUser struct {
	wechatError
	OpenID   string `json:"openid"`
	Nickname string `json:"nickname"`
	UnionID  string `json:"unionid"`
}

func (p *wechatProvider) Exchange(ctx context.Context, code string, _ Start) (Profile, error) {
	var tok wechatToken
	if err := p.get(ctx, "/sns/oauth2/access_token", url.Values{
		"appid": {p.c.ClientID}, "secret": {p.c.ClientSecret}, "code": {code}, "grant_type": {"authorization_code"},
	}, &tok); err != nil {
		return Profile{}, err
	}
	if tok.ErrCode != 0 {
		return Profile{}, tok.err("access_token")
	}
	if tok.AccessToken == "" || tok.OpenID == "" {
		return Profile{}, fmt.Errorf("%w: WeChat access_token: no token or openid", ErrRejected)
	}
	var u wechatUser
	if err := p.get(ctx, "/sns/userinfo", url.Values{
		"access_token": {tok.AccessToken}, "openid": {tok.OpenID}, "lang": {"en"},
	}, &u); err != nil {
		return Profile{}, err
	}
	if u.ErrCode != 0 {
		return Profile{}, u.err("userinfo")
	}
	if u.OpenID != tok.OpenID {
		return Profile{}, fmt.Errorf("%w: WeChat userinfo is about another openid", ErrRejected)
	}
	subject := "openid:" + tok.OpenID
	if union := cmp.Or(u.UnionID, tok.UnionID); union != "" {
		subject = "unionid:" + union
	}
	t := &oauth2.Token{AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken, TokenType: "Bearer"}
	if tok.ExpiresIn > 0 {
		t.Expiry = time.Now().Add(time.Duration(tok.ExpiresIn) * time.Second)
	}
	return checked(Profile{Subject: subject, Name: u.Nickname, Token: t})
}

func (p *wechatProvider) get(ctx context.Context, path string, q url.Values, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.c.APIBaseURL+path+"?"+q.Encode(), nil)
	if err != nil {
		return err
	}
	resp, err := p.client.Do(req)
	if err != nil {
		// The URL holds the secret and the code: never in the message.
		if ue, ok := err.(*url.Error); ok {
			err = ue.Err
		}
		return fmt.Errorf("%w: WeChat %s: %v", ErrUnavailable, path, err)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return fmt.Errorf("%w: WeChat %s: %d", ErrUnavailable, path, resp.StatusCode)
	}
	if err := decode(resp, v); err != nil {
		return fmt.Errorf("%w: WeChat %s: %v", ErrUnavailable, path, err)
	}
	return nil
}
