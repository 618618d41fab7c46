package password

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Errors returned, wrapped with details, by [ParsePHC] and [Hasher.Verify].
// Test for them with errors.Is; the details never include salt or key bytes.
var (
	// ErrMalformedHash means the string is not a well-formed argon2id PHC
	// string, or its parameters, salt or key are outside the bounds of
	// [Params.Validate] (such errors also wrap [ErrInvalidParams]).
	ErrMalformedHash = errors.New("password: malformed hash")

	// ErrUnsupportedAlgorithm means the string names another algorithm
	// ($argon2i$, $argon2d$, $2a$ for bcrypt, ...).
	ErrUnsupportedAlgorithm = errors.New("password: unsupported hash algorithm")

	// ErrIncompatibleVersion means an argon2id version other than 19 (0x13),
	// including strings without a version field, which argon2 1.0 (v=16) wrote.
	ErrIncompatibleVersion = errors.New("password: incompatible argon2 version")
)

// maxEncodedLen is well above the longest string within the bounds of
// Validate (two 1 KiB fields in base64 plus the header) and caps the work
// spent on a hostile input before any parsing.
const maxEncodedLen = 4096

// ParsePHC parses an argon2id PHC string of exactly the form
//
//	$argon2id$v=19$m=<KiB>,t=<iterations>,p=<lanes>$<salt>$<key>
//
// and returns its parameters (SaltLen and KeyLen set from the decoded salt
// and key), salt and key.
//
// Parsing is strict: decimals without sign or leading zeros, m, t and p in
// that order and nothing else, salt and key in canonical unpadded standard
// base64 with no whitespace. It returns an error wrapping
// [ErrUnsupportedAlgorithm] for another algorithm, [ErrIncompatibleVersion]
// for a version other than 19, and [ErrMalformedHash] for anything else,
// including parameters that fail [Params.Validate]: more than 4 GiB of
// memory, more than 64 iterations, a key over 1 KiB, or a salt shorter than
// 16 bytes (so hashes from other systems with 8-byte salts are refused).
func ParsePHC(encoded string) (p Params, salt, key []byte, err error) {
	if len(encoded) > maxEncodedLen {
		return Params{}, nil, nil, fmt.Errorf("%w: longer than %d bytes", ErrMalformedHash, maxEncodedLen)
	}
	fields := strings.Split(encoded, "$")
	if len(fields) < 2 || fields[0] != "" || fields[1] == "" {
		return Params{}, nil, nil, fmt.Errorf("%w: not a PHC string", ErrMalformedHash)
	}
	if fields[1] != "argon2id" {
		return Params{}, nil, nil, fmt.Errorf("%w: %.20q", ErrUnsupportedAlgorithm, fields[1])
	}
	if len(fields) == 5 && strings.HasPrefix(fields[2], "m=") {
		return Params{}, nil, nil, fmt.Errorf("%w: no version field (argon2 1.0, v=16)", ErrIncompatibleVersion)
	}
	if len(fields) != 6 {
		return Params{}, nil, nil, fmt.Errorf("%w: %d $-separated fields, want 6", ErrMalformedHash, len(fields))
	}

	v, ok := strings.CutPrefix(fields[2], "v=")
	if !ok {
		return Params{}, nil, nil, fmt.Errorf("%w: missing version field", ErrMalformedHash)
	}
	version, err := parseDecimal(v, 32)
	if err != nil {
		return Params{}, nil, nil, fmt.Errorf("%w: version: %v", ErrMalformedHash, err)
	}
	if version != argon2.Version {
		return Params{}, nil, nil, fmt.Errorf("%w: v=%d, want v=%d", ErrIncompatibleVersion, version, argon2.Version)
	}

	p, err = parseParams(fields[3])
	if err != nil {
		return Params{}, nil, nil, err
	}
	if salt, err = decodeBase64(fields[4]); err != nil {
		return Params{}, nil, nil, fmt.Errorf("%w: salt: %v", ErrMalformedHash, err)
	}
	if key, err = decodeBase64(fields[5]); err != nil {
		return Params{}, nil, nil, fmt.Errorf("%w: key: %v", ErrMalformedHash, err)
	}
	p.SaltLen = uint32(len(salt))
	p.KeyLen = uint32(len(key))
	if err := p.Validate(); err != nil {
		return Params{}, nil, nil, fmt.Errorf("%w: %w", ErrMalformedHash, err)
	}
	return p, salt, key, nil
}

// parseParams parses "m=<KiB>,t=<iterations>,p=<lanes>".
func parseParams(s string) (Params, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 3 {
		return Params{}, fmt.Errorf("%w: parameters must be exactly m=,t=,p=", ErrMalformedHash)
	}
	var values [3]uint64
	for i, spec := range []struct {
		name string
		bits int
	}{{"m", 32}, {"t", 32}, {"p", 8}} {
		raw, ok := strings.CutPrefix(parts[i], spec.name+"=")
		if !ok {
			return Params{}, fmt.Errorf("%w: parameters must be exactly m=,t=,p= in that order", ErrMalformedHash)
		}
		n, err := parseDecimal(raw, spec.bits)
		if err != nil {
			return Params{}, fmt.Errorf("%w: %s: %v", ErrMalformedHash, spec.name, err)
		}
		values[i] = n
	}
	return Params{
		MemoryKiB:   uint32(values[0]),
		Iterations:  uint32(values[1]),
		Parallelism: uint8(values[2]),
	}, nil
}

// parseDecimal parses a PHC decimal: ASCII digits only, no sign, no leading
// zeros, fitting in bits.
func parseDecimal(s string, bits int) (uint64, error) {
	if s == "" {
		return 0, errors.New("empty number")
	}
	if len(s) > 1 && s[0] == '0' {
		return 0, errors.New("leading zero")
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, errors.New("not a decimal number")
		}
	}
	n, err := strconv.ParseUint(s, 10, bits)
	if err != nil {
		return 0, fmt.Errorf("out of range for %d bits", bits)
	}
	return n, nil
}

// decodeBase64 decodes canonical unpadded standard base64. The alphabet is
// checked first because the decoder silently skips CR and LF.
func decodeBase64(s string) ([]byte, error) {
	if s == "" {
		return nil, errors.New("empty")
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '/') {
			return nil, errors.New("not unpadded standard base64")
		}
	}
	b, err := base64.RawStdEncoding.Strict().DecodeString(s)
	if err != nil {
		return nil, errors.New("not canonical unpadded standard base64")
	}
	return b, nil
}

// encodePHC formats an argon2id PHC string. It does not validate p, so
// tests can reproduce reference vectors with short salts.
func encodePHC(p Params, salt, key []byte) string {
	enc := base64.RawStdEncoding
	b := make([]byte, 0, 48+enc.EncodedLen(len(salt))+enc.EncodedLen(len(key)))
	b = append(b, "$argon2id$v="...)
	b = strconv.AppendUint(b, argon2.Version, 10)
	b = append(b, "$m="...)
	b = strconv.AppendUint(b, uint64(p.MemoryKiB), 10)
	b = append(b, ",t="...)
	b = strconv.AppendUint(b, uint64(p.Iterations), 10)
	b = append(b, ",p="...)
	b = strconv.AppendUint(b, uint64(p.Parallelism), 10)
	b = append(b, '$')
	b = enc.AppendEncode(b, salt)
	b = append(b, '$')
	b = enc.AppendEncode(b, key)
	return string(b)
}
