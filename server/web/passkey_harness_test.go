package web_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/go-webauthn/webauthn/protocol/webauthncbor"
	"github.com/uptrace/bun"

	"github.com/latch-dev/latch/components/email"
	"github.com/latch-dev/latch/components/pages"
	"github.com/latch-dev/latch/db"
	"github.com/latch-dev/latch/server/auth"
	"github.com/latch-dev/latch/server/guard"
	"github.com/latch-dev/latch/server/web"
)

// newPasskeys builds the passkey flows for a harness: relying party
// localhost, the harness's localhost origin.
func newPasskeys(t testing.TB, bdb *bun.DB, audit auth.Auditor, notices auth.Notifier, clk *clock, log *slog.Logger, g *guard.Guard, origin string) *auth.Passkeys {
	t.Helper()
	o := auth.PasskeyOptions{Guard: g, Clock: clk.Now, Logger: log, RelyingPartyOf: web.AppRelyingParty}
	if notices != nil {
		o.Notifier, o.Messages = notices, web.PasskeyMessages{Brand: email.Brand{AppName: "Latch"}}
	}
	k, err := auth.NewPasskeys(auth.RelyingParty{ID: "localhost", Origins: []string{origin}}, db.NewUsers(bdb), db.NewPasskeys(bdb), audit, o)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// softKey is a software authenticator for HTTP tests: one ES256
// credential, answering the server's options as a browser with a
// platform authenticator would (attestation "none"). The browser tests
// use Chromium's virtual authenticator instead.
type softKey struct {
	t       testing.TB
	origin  string
	rpID    string
	id      []byte
	key     *ecdsa.PrivateKey
	handle  []byte
	count   uint32
	noUV    bool // leave the UV flag off
	counter bool // count signatures (off: always 0, as many platform authenticators)
}

func newSoftKey(t testing.TB, origin string) *softKey {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id := make([]byte, 32)
	_, _ = rand.Read(id)
	return &softKey{t: t, origin: origin, rpID: "localhost", id: id, key: key, counter: true}
}

var b64 = base64.RawURLEncoding

// ceremonyOptions is the part of the server's options a softKey reads.
type ceremonyOptions struct {
	PublicKey struct {
		Challenge string `json:"challenge"`
		RPID      string `json:"rpId"`
		RP        struct {
			ID string `json:"id"`
		} `json:"rp"`
		User struct {
			ID string `json:"id"`
		} `json:"user"`
		AllowCredentials []struct {
			ID string `json:"id"`
		} `json:"allowCredentials"`
	} `json:"publicKey"`
}

func parseOptions(t testing.TB, body string) ceremonyOptions {
	t.Helper()
	var o ceremonyOptions
	if err := json.Unmarshal([]byte(body), &o); err != nil || o.PublicKey.Challenge == "" {
		t.Fatalf("passkey options do not parse (%v): %s", err, body)
	}
	return o
}

func (k *softKey) flags(extra byte) byte {
	f := byte(0x01) | extra // UP
	if !k.noUV {
		f |= 0x04
	}
	return f
}

func (k *softKey) authData(flags byte) []byte {
	rp := sha256.Sum256([]byte(k.rpID))
	out := append([]byte{}, rp[:]...)
	out = append(out, flags)
	return binary.BigEndian.AppendUint32(out, k.count)
}

func clientData(typ, challenge, origin string) []byte {
	b, _ := json.Marshal(map[string]any{"type": typ, "challenge": challenge, "origin": origin, "crossOrigin": false})
	return b
}

// create answers registration options: the credential as JSON.
func (k *softKey) create(options string) json.RawMessage {
	k.t.Helper()
	o := parseOptions(k.t, options)
	handle, err := b64.DecodeString(o.PublicKey.User.ID)
	if err != nil {
		k.t.Fatalf("user handle: %v", err)
	}
	k.handle = handle
	cose, err := webauthncbor.Marshal(map[int]any{1: 2, 3: -7, -1: 1,
		-2: k.key.X.FillBytes(make([]byte, 32)), -3: k.key.Y.FillBytes(make([]byte, 32))})
	if err != nil {
		k.t.Fatal(err)
	}
	ad := k.authData(k.flags(0x40)) // AT
	ad = append(ad, make([]byte, 16)...)
	ad = binary.BigEndian.AppendUint16(ad, uint16(len(k.id)))
	ad = append(ad, k.id...)
	ad = append(ad, cose...)
	att, err := webauthncbor.Marshal(map[string]any{"fmt": "none", "attStmt": map[string]any{}, "authData": ad})
	if err != nil {
		k.t.Fatal(err)
	}
	cred, _ := json.Marshal(map[string]any{
		"id": b64.EncodeToString(k.id), "rawId": b64.EncodeToString(k.id), "type": "public-key",
		"response": map[string]any{
			"clientDataJSON":    b64.EncodeToString(clientData("webauthn.create", o.PublicKey.Challenge, k.origin)),
			"attestationObject": b64.EncodeToString(att),
			"transports":        []string{"internal"},
		},
	})
	return cred
}

// get answers sign-in options: an assertion as JSON, signed over the
// options' challenge.
func (k *softKey) get(options string) json.RawMessage {
	k.t.Helper()
	return k.assert(parseOptions(k.t, options).PublicKey.Challenge)
}

// assert signs an assertion over challenge (base64url, as the options
// carry it), advancing the counter when it counts.
func (k *softKey) assert(challenge string) json.RawMessage {
	k.t.Helper()
	if k.counter {
		k.count++
	}
	ad := k.authData(k.flags(0))
	cd := clientData("webauthn.get", challenge, k.origin)
	sum := sha256.Sum256(cd)
	digest := sha256.Sum256(append(append([]byte{}, ad...), sum[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, k.key, digest[:])
	if err != nil {
		k.t.Fatal(err)
	}
	cred, _ := json.Marshal(map[string]any{
		"id": b64.EncodeToString(k.id), "rawId": b64.EncodeToString(k.id), "type": "public-key",
		"response": map[string]any{
			"clientDataJSON":    b64.EncodeToString(cd),
			"authenticatorData": b64.EncodeToString(ad),
			"signature":         b64.EncodeToString(sig),
			"userHandle":        b64.EncodeToString(k.handle),
		},
	})
	return cred
}

// postJSON posts body as the passkey script does: same-origin JSON,
// asking for JSON back.
func (h *harness) postJSON(c *http.Client, path, body string) reply {
	h.t.Helper()
	return h.postRaw(c, path, body, "Content-Type", "application/json", "Accept", "application/json")
}

// answerBody is a finish path's body: extra fields and the credential.
func answerBody(cred json.RawMessage, extra string) string {
	if extra != "" {
		extra += ","
	}
	return "{" + extra + `"credential":` + string(cred) + "}"
}

// addPasskey registers k on the signed-in client c through the account's
// passkey paths, named name, and fails the test unless it lands back on
// the passkeys page.
func (h *harness) addPasskey(c *http.Client, k *softKey, name string) {
	h.t.Helper()
	r := h.postJSON(c, pages.PasskeyRegisterOptionsPath, "{}")
	if r.status != http.StatusOK {
		h.t.Fatalf("registration options: %d %s", r.status, r.body)
	}
	body, _ := json.Marshal(name)
	r = h.postJSON(c, pages.PasskeyRegisterPath, answerBody(k.create(r.body), `"name":`+string(body)))
	if r.status != http.StatusOK || !strings.Contains(r.body, `"redirect":"/account/passkeys"`) {
		h.t.Fatalf("add passkey: %d %s", r.status, r.body)
	}
}

// passkeyLogin signs in from c with k: options, then the assertion. It
// returns the finish path's reply.
func (h *harness) passkeyLogin(c *http.Client, k *softKey) reply {
	h.t.Helper()
	r := h.postJSON(c, pages.PasskeyLoginOptionsPath, "{}")
	if r.status != http.StatusOK {
		h.t.Fatalf("login options: %d %s", r.status, r.body)
	}
	return h.postJSON(c, pages.PasskeyLoginPath, answerBody(k.get(r.body), ""))
}
