package password

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// A well-formed stored hash and its parts, for building malformed variants.
const (
	salt16 = "MDEyMzQ1Njc4OWFiY2RlZg"                      // "0123456789abcdef"
	key32  = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY" // "0123456789abcdef" twice
	good   = "$argon2id$v=19$m=64,t=1,p=1$" + salt16 + "$" + key32
)

func TestParsePHC(t *testing.T) {
	p, salt, key, err := ParsePHC(good)
	if err != nil {
		t.Fatalf("ParsePHC(%q): %v", good, err)
	}
	want := Params{MemoryKiB: 64, Iterations: 1, Parallelism: 1, SaltLen: 16, KeyLen: 32}
	if p != want {
		t.Errorf("params = %+v, want %+v", p, want)
	}
	if string(salt) != "0123456789abcdef" {
		t.Errorf("salt = %q", salt)
	}
	if string(key) != "0123456789abcdef0123456789abcdef" {
		t.Errorf("key = %q", key)
	}
	if got := encodePHC(p, salt, key); got != good {
		t.Errorf("encodePHC(ParsePHC(s)) = %q, want %q", got, good)
	}
}

func TestParsePHCRejects(t *testing.T) {
	head := "$argon2id$v=19$"
	tail := "$" + salt16 + "$" + key32
	withParams := func(params string) string { return head + params + tail }
	withSalt := func(salt string) string { return head + "m=64,t=1,p=1$" + salt + "$" + key32 }
	withKey := func(key string) string { return head + "m=64,t=1,p=1$" + salt16 + "$" + key }

	tests := []struct {
		name    string
		encoded string
		want    error
	}{
		{"empty", "", ErrMalformedHash},
		{"only dollar", "$", ErrMalformedHash},
		{"no leading dollar", strings.TrimPrefix(good, "$"), ErrMalformedHash},
		{"leading space", " " + good, ErrMalformedHash},
		{"empty algorithm", "$$v=19$m=64,t=1,p=1" + tail, ErrMalformedHash},
		{"algorithm only", "$argon2id", ErrMalformedHash},
		{"algorithm and version only", "$argon2id$v=19", ErrMalformedHash},
		{"missing key segment", head + "m=64,t=1,p=1$" + salt16, ErrMalformedHash},
		{"trailing dollar", good + "$", ErrMalformedHash},
		{"extra segment", good + "$" + key32, ErrMalformedHash},
		{"oversized", good + strings.Repeat("A", maxEncodedLen), ErrMalformedHash},

		{"argon2i", "$argon2i$v=19$m=64,t=1,p=1" + tail, ErrUnsupportedAlgorithm},
		{"argon2d", "$argon2d$v=19$m=64,t=1,p=1" + tail, ErrUnsupportedAlgorithm},
		{"upper-case id", "$Argon2id$v=19$m=64,t=1,p=1" + tail, ErrUnsupportedAlgorithm},
		{"bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", ErrUnsupportedAlgorithm},
		{"scrypt", "$scrypt$ln=16,r=8,p=1$aM15713r3Xsvxbi31lqr1Q$nFNh2CVHVjNldFVKDHDlm4CbdRSCdEBsjjJxD+iCs5E", ErrUnsupportedAlgorithm},

		{"v=16", "$argon2id$v=16$m=64,t=1,p=1" + tail, ErrIncompatibleVersion},
		{"v=20", "$argon2id$v=20$m=64,t=1,p=1" + tail, ErrIncompatibleVersion},
		{"no version field", "$argon2id$m=64,t=1,p=1" + tail, ErrIncompatibleVersion},
		{"version without v=", "$argon2id$19$m=64,t=1,p=1" + tail, ErrMalformedHash},
		{"version upper-case", "$argon2id$V=19$m=64,t=1,p=1" + tail, ErrMalformedHash},
		{"version empty", "$argon2id$v=$m=64,t=1,p=1" + tail, ErrMalformedHash},
		{"version leading zero", "$argon2id$v=019$m=64,t=1,p=1" + tail, ErrMalformedHash},
		{"version hex", "$argon2id$v=0x13$m=64,t=1,p=1" + tail, ErrMalformedHash},

		{"params empty", withParams(""), ErrMalformedHash},
		{"params missing p", withParams("m=64,t=1"), ErrMalformedHash},
		{"params missing m", withParams("t=1,p=1"), ErrMalformedHash},
		{"params out of order", withParams("t=1,m=64,p=1"), ErrMalformedHash},
		{"params extra keyid", withParams("m=64,t=1,p=1,keyid=abc"), ErrMalformedHash},
		{"params trailing comma", withParams("m=64,t=1,p=1,"), ErrMalformedHash},
		{"params with spaces", withParams("m=64, t=1, p=1"), ErrMalformedHash},
		{"param empty value", withParams("m=,t=1,p=1"), ErrMalformedHash},
		{"param negative", withParams("m=-64,t=1,p=1"), ErrMalformedHash},
		{"param plus sign", withParams("m=+64,t=1,p=1"), ErrMalformedHash},
		{"param leading zero", withParams("m=064,t=1,p=1"), ErrMalformedHash},
		{"param not decimal", withParams("m=0x40,t=1,p=1"), ErrMalformedHash},
		{"param with newline", withParams("m=64\n,t=1,p=1"), ErrMalformedHash},
		{"memory overflows uint32", withParams("m=4294967296,t=1,p=1"), ErrMalformedHash},
		{"memory above 4 GiB", withParams("m=4194305,t=1,p=1"), ErrInvalidParams},
		{"memory max uint32", withParams("m=4294967295,t=1,p=1"), ErrInvalidParams},
		{"memory below 8 KiB per lane", withParams("m=15,t=1,p=2"), ErrInvalidParams},
		{"memory zero", withParams("m=0,t=1,p=1"), ErrInvalidParams},
		{"iterations zero", withParams("m=64,t=0,p=1"), ErrInvalidParams},
		{"iterations huge", withParams("m=64,t=4294967295,p=1"), ErrInvalidParams},
		{"parallelism zero", withParams("m=64,t=1,p=0"), ErrInvalidParams},
		{"parallelism overflows uint8", withParams("m=4096,t=1,p=256"), ErrMalformedHash},

		{"salt empty", withSalt(""), ErrMalformedHash},
		{"salt bad base64", withSalt("!!!!!!!!!!!!!!!!!!!!!!"), ErrMalformedHash},
		{"salt padded", withSalt(salt16 + "=="), ErrMalformedHash},
		{"salt url alphabet", withSalt("MDEyMzQ1Njc4OWFiY2RlZ-_"), ErrMalformedHash},
		{"salt with newline", withSalt(salt16[:10] + "\n" + salt16[10:]), ErrMalformedHash},
		{"salt non-canonical", withSalt("AAAAAAAAAAAAAAAAAAAAAB"), ErrMalformedHash},
		{"salt impossible length", withSalt(salt16 + "AAA"), ErrMalformedHash},
		{"salt 8 bytes", withSalt("MDEyMzQ1Njc"), ErrInvalidParams},
		{"salt above 1 KiB", withSalt(strings.Repeat("A", 1368)), ErrInvalidParams},

		{"key empty", withKey(""), ErrMalformedHash},
		{"key bad base64", withKey("%%%%"), ErrMalformedHash},
		{"key trailing newline", good + "\n", ErrMalformedHash},
		{"key 8 bytes", withKey("MDEyMzQ1Njc"), ErrInvalidParams},
		{"key above 1 KiB", withKey(strings.Repeat("A", 1368)), ErrInvalidParams},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, salt, key, err := ParsePHC(tt.encoded)
			if !errors.Is(err, tt.want) {
				t.Fatalf("ParsePHC(%q) error = %v, want %v", tt.encoded, err, tt.want)
			}
			// Every rejection from parameter bounds is also a malformed hash.
			if errors.Is(err, ErrInvalidParams) && !errors.Is(err, ErrMalformedHash) {
				t.Errorf("error %v does not wrap ErrMalformedHash", err)
			}
			if p != (Params{}) || salt != nil || key != nil {
				t.Errorf("ParsePHC returned values with an error: %+v %q %q", p, salt, key)
			}
			if strings.Contains(err.Error(), salt16) || strings.Contains(err.Error(), key32) {
				t.Errorf("error %q repeats salt or key", err)
			}
		})
	}
}

// TestReferenceVectors checks key derivation and encoding against the
// argon2id vectors of the reference implementation (P-H-C/phc-winner-argon2,
// src/test.c). Their 8-byte salts are below this package's minimum, so
// ParsePHC must refuse them.
func TestReferenceVectors(t *testing.T) {
	tests := []struct {
		p       Params
		encoded string
	}{
		{
			Params{MemoryKiB: 256, Iterations: 2, Parallelism: 1, SaltLen: 8, KeyLen: 32},
			"$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
		},
		{
			Params{MemoryKiB: 256, Iterations: 2, Parallelism: 2, SaltLen: 8, KeyLen: 32},
			"$argon2id$v=19$m=256,t=2,p=2$c29tZXNhbHQ$bQk8UB/VmZZF4Oo79iDXuL5/0ttZwg2f/5U52iv1cDc",
		},
	}
	for _, tt := range tests {
		salt := []byte("somesalt")
		key := idKey([]byte("password"), salt, tt.p)
		if got := encodePHC(tt.p, salt, key); got != tt.encoded {
			t.Errorf("got  %s\nwant %s", got, tt.encoded)
		}
		if _, _, _, err := ParsePHC(tt.encoded); !errors.Is(err, ErrInvalidParams) {
			t.Errorf("ParsePHC(%q) error = %v, want ErrInvalidParams (salt too short)", tt.encoded, err)
		}
	}
}

func TestParseDecimal(t *testing.T) {
	tests := []struct {
		in   string
		bits int
		want uint64
		ok   bool
	}{
		{"0", 32, 0, true},
		{"19", 32, 19, true},
		{"4294967295", 32, 4294967295, true},
		{"4294967296", 32, 0, false},
		{"255", 8, 255, true},
		{"256", 8, 0, false},
		{"", 32, 0, false},
		{"00", 32, 0, false},
		{"01", 32, 0, false},
		{"+1", 32, 0, false},
		{"-1", 32, 0, false},
		{"1_000", 32, 0, false},
		{"١٩", 32, 0, false}, // Arabic-Indic digits
	}
	for _, tt := range tests {
		got, err := parseDecimal(tt.in, tt.bits)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("parseDecimal(%q, %d) = %d, %v; want %d, ok=%v", tt.in, tt.bits, got, err, tt.want, tt.ok)
		}
	}
}

func TestEncodePHCRoundTrip(t *testing.T) {
	p := Params{MemoryKiB: 4194304, Iterations: 64, Parallelism: 255, SaltLen: 1024, KeyLen: 1024}
	salt := bytes.Repeat([]byte{0xff}, int(p.SaltLen))
	key := bytes.Repeat([]byte{0xfe}, int(p.KeyLen))
	encoded := encodePHC(p, salt, key)
	if len(encoded) > maxEncodedLen {
		t.Fatalf("largest valid hash is %d bytes, above maxEncodedLen %d", len(encoded), maxEncodedLen)
	}
	gotP, gotSalt, gotKey, err := ParsePHC(encoded)
	if err != nil {
		t.Fatalf("ParsePHC(largest valid hash): %v", err)
	}
	if gotP != p || !bytes.Equal(gotSalt, salt) || !bytes.Equal(gotKey, key) {
		t.Errorf("round trip changed the hash: %+v", gotP)
	}
}
