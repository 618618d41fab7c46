package otp

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	mathrand "math/rand/v2"
	"strings"
	"testing"
)

func TestNewCodeShape(t *testing.T) {
	t.Parallel()
	for range 2000 {
		c := NewCode()
		if len(c) != CodeDigits {
			t.Fatalf("code %q has %d characters", c, len(c))
		}
		if n, err := NormalizeCode(c); err != nil || n != c {
			t.Fatalf("code %q does not normalize to itself: %q %v", c, n, err)
		}
	}
}

// seq is a reader that returns the given 4-byte words in turn.
type seq struct{ words [][4]byte }

func (s *seq) Read(p []byte) (int, error) {
	if len(s.words) == 0 {
		return 0, errors.New("exhausted")
	}
	n := copy(p, s.words[0][:])
	s.words = s.words[1:]
	return n, nil
}

func TestNewCodeFromKnownBytes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		words [][4]byte
		want  string
	}{
		{"zero keeps leading zeros", [][4]byte{{0, 0, 0, 0}}, "000000"},
		{"small value", [][4]byte{{0, 0, 0, 42}}, "000042"},
		{"wraps modulo a million", [][4]byte{{0, 0x0f, 0x42, 0x40}}, "000000"}, // 1,000,000
		// 2^32 - 2^32 % 10^6 = 4,294,000,000: that and above are drawn again.
		{"largest kept", [][4]byte{{0xff, 0xf1, 0x3d, 0x7f}}, "999999"},
		{"rejects the biased tail", [][4]byte{{0xff, 0xf1, 0x3d, 0x80}, {0, 0, 0, 7}}, "000007"},
		{"rejects the maximum", [][4]byte{{0xff, 0xff, 0xff, 0xff}, {0, 0, 0x30, 0x39}}, "012345"},
	} {
		got, err := newCode(&seq{words: tc.words})
		if err != nil || got != tc.want {
			t.Errorf("%s: newCode = %q %v, want %q", tc.name, got, err, tc.want)
		}
	}
	if _, err := newCode(&seq{}); err == nil {
		t.Error("newCode with a failing reader succeeded")
	}
}

// TestNewCodeDistribution draws many codes and checks each leading digit
// and each last digit comes up about equally often (chi-squared, 9 degrees
// of freedom; 27.88 is the p = 0.001 critical value). The random bytes come
// from a seeded stream, so the verdict is about the sampling, never luck:
// the same draws every run.
func TestNewCodeDistribution(t *testing.T) {
	t.Parallel()
	const draws = 200_000
	src := mathrand.NewChaCha8([32]byte{'l', 'a', 't', 'c', 'h'})
	var first, last [10]int
	for range draws {
		c, err := newCode(src)
		if err != nil {
			t.Fatal(err)
		}
		first[c[0]-'0']++
		last[c[5]-'0']++
	}
	for name, counts := range map[string][10]int{"first digit": first, "last digit": last} {
		exp := float64(draws) / 10
		var chi2 float64
		for _, n := range counts {
			d := float64(n) - exp
			chi2 += d * d / exp
		}
		if chi2 > 27.88 {
			t.Errorf("%s counts %v: chi-squared %.1f, not uniform", name, counts, chi2)
		}
	}
}

func TestNormalizeCode(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"123456": "123456", " 123 456 ": "123456", "123-456": "123456", "012345": "012345",
	} {
		if got, err := NormalizeCode(in); err != nil || got != want {
			t.Errorf("NormalizeCode(%q) = %q %v, want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "12345", "1234567", "12345a", "١٢٣٤٥٦", "１２３４５６", "12345\x00", "+12345"} {
		if _, err := NormalizeCode(in); !errors.Is(err, ErrMalformedCode) {
			t.Errorf("NormalizeCode(%q) = %v, want ErrMalformedCode", in, err)
		}
	}
}

func TestHasherBindsPurposeAndIdentity(t *testing.T) {
	t.Parallel()
	key := bytes.Repeat([]byte{7}, KeySize)
	h, err := NewHasher(key)
	if err != nil {
		t.Fatal(err)
	}
	base := h.Code(PurposeLogin, "ada@example.com", "123456")
	if len(base) != 32 {
		t.Fatalf("hash is %d bytes", len(base))
	}
	if !Equal(base, h.Code(PurposeLogin, "ada@example.com", "123456")) {
		t.Fatal("hash is not deterministic")
	}
	other, _ := NewHasher(bytes.Repeat([]byte{8}, KeySize))
	for name, got := range map[string][]byte{
		"another purpose":  h.Code(PurposeVerifyEmail, "ada@example.com", "123456"),
		"another identity": h.Code(PurposeLogin, "bob@example.com", "123456"),
		"another code":     h.Code(PurposeLogin, "ada@example.com", "123457"),
		"another key":      other.Code(PurposeLogin, "ada@example.com", "123456"),
		// Field boundaries matter: moving characters between fields changes the hash.
		"shifted fields": h.Code(PurposeLogin, "ada@example.com1", "23456"),
		"unkeyed sha256": sum("login|ada@example.com|123456"),
	} {
		if Equal(base, got) {
			t.Errorf("%s gives the same hash", name)
		}
	}
	if _, err := NewHasher(make([]byte, 16)); err == nil {
		t.Error("NewHasher accepted a 16-byte key")
	}
	// Every purpose gives its own hash of one code.
	seen := map[string]Purpose{}
	for _, p := range Purposes() {
		if !p.Valid() {
			t.Errorf("%q is not Valid", p)
		}
		k := string(h.Code(p, "ada@example.com", "123456"))
		if q, dup := seen[k]; dup {
			t.Errorf("%q and %q hash alike", p, q)
		}
		seen[k] = p
	}
	if Purpose("admin").Valid() || Purpose("").Valid() {
		t.Error("an unknown purpose is Valid")
	}
}

func sum(s string) []byte { b := sha256.Sum256([]byte(s)); return b[:] }

func TestDeriveKey(t *testing.T) {
	t.Parallel()
	kek := bytes.Repeat([]byte{1}, 32)
	a, err := DeriveKey(kek)
	if err != nil || len(a) != KeySize || bytes.Equal(a, kek) {
		t.Fatalf("DeriveKey = %x %v", a, err)
	}
	b, _ := DeriveKey(kek)
	if !bytes.Equal(a, b) {
		t.Fatal("DeriveKey is not deterministic")
	}
	if _, err := DeriveKey(kek[:16]); err == nil {
		t.Fatal("DeriveKey accepted a short key")
	}
}

func TestEqual(t *testing.T) {
	t.Parallel()
	a := sum("a")
	for _, tc := range []struct {
		x, y []byte
		want bool
	}{
		{a, sum("a"), true},
		{a, sum("b"), false},
		{a, a[:31], false},
		{nil, nil, false},
		{[]byte{}, []byte{}, false},
		{a, nil, false},
	} {
		if got := Equal(tc.x, tc.y); got != tc.want {
			t.Errorf("Equal(%x, %x) = %v, want %v", tc.x, tc.y, got, tc.want)
		}
	}
}

// TestComparesInConstantTime checks that hashes in this package are
// compared only through crypto/subtle: no bytes.Equal, hmac.Equal or ==
// on strings of hashes.
func TestComparesInConstantTime(t *testing.T) {
	t.Parallel()
	f, err := parser.ParseFile(token.NewFileSet(), "otp.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var usesSubtle bool
	ast.Inspect(f, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		if id, ok := sel.X.(*ast.Ident); ok {
			switch id.Name + "." + sel.Sel.Name {
			case "subtle.ConstantTimeCompare":
				usesSubtle = true
			case "bytes.Equal", "hmac.Equal", "bytes.Compare":
				t.Errorf("otp.go compares with %s.%s", id.Name, sel.Sel.Name)
			}
		}
		return true
	})
	if !usesSubtle {
		t.Error("otp.go does not use subtle.ConstantTimeCompare")
	}
}

func TestLinkTokens(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 1000 {
		l := NewLink()
		if len(l.Token) != TokenLen || TokenLen != 22+43 {
			t.Fatalf("token %q has length %d", l.Token, len(l.Token))
		}
		if strings.ContainsFunc(l.Token, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_')
		}) {
			t.Fatalf("token %q is not URL-safe", l.Token)
		}
		if seen[l.Token] || seen[l.Selector] {
			t.Fatal("a token repeated")
		}
		seen[l.Token], seen[l.Selector] = true, true
		ver, err := base64.RawURLEncoding.DecodeString(l.Token[SelectorLen:])
		if err != nil || len(ver)*8 < 256 {
			t.Fatalf("verifier has %d bits", len(ver)*8)
		}
		if bytes.Contains([]byte(l.Token), l.VerifierHash) || strings.Contains(l.Token, base64.RawURLEncoding.EncodeToString(l.VerifierHash)) {
			t.Fatal("the token holds its stored hash")
		}
		sel, vh, err := ParseLink(l.Token)
		if err != nil || sel != l.Selector || !Equal(l.VerifierHash, vh) {
			t.Fatalf("ParseLink(%q) = %q %x %v", l.Token, sel, vh, err)
		}
		if !Equal(l.VerifierHash, sum(string(ver))) {
			t.Fatal("VerifierHash is not the SHA-256 of the verifier")
		}
	}
	good := NewLink().Token
	for name, tok := range map[string]string{
		"empty":            "",
		"short":            good[:TokenLen-1],
		"long":             good + "A",
		"padding":          good[:TokenLen-1] + "=",
		"standard base64":  good[:10] + "+" + good[11:],
		"non-canonical":    nonCanonical(good),
		"space":            good[:5] + " " + good[6:],
		"fullwidth letter": good[:TokenLen-3] + "Ａ",
	} {
		if _, _, err := ParseLink(tok); !errors.Is(err, ErrMalformedLink) {
			t.Errorf("ParseLink(%s) = %v, want ErrMalformedLink", name, err)
		}
	}
}

func TestSendLimitError(t *testing.T) {
	t.Parallel()
	var err error = &SendLimitError{Wait: 42_500_000_000}
	if !errors.Is(err, ErrSendLimited) || !strings.Contains(err.Error(), "43s") {
		t.Fatalf("SendLimitError = %v", err)
	}
}

// nonCanonical changes the last selector character so that the 4 bits it
// carries beyond the 16 bytes are not zero: the same bytes, another string.
func nonCanonical(tok string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	i := strings.IndexByte(alphabet, tok[SelectorLen-1])
	return tok[:SelectorLen-1] + string(alphabet[i|1]) + tok[SelectorLen:]
}
