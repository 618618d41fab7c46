package token

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// KEKSize is the length in bytes of a key-encryption key: AES-256.
const KEKSize = 32

// Purposes a Sealer is derived for. Each gets its own subkey, so a value
// sealed for one purpose never opens under another.
const (
	PurposeSigningKeys   = "latch signing keys v1"
	PurposeRefreshReplay = "latch refresh replay v1"
	PurposeOutbox        = "latch outbox bodies v1"
	PurposeTOTP          = "latch totp secrets v1"
	// PurposeProviderTokens seals the tokens of sign-in providers, kept only
	// when the operator asks (LATCH_PROVIDER_<ID>_KEEP_TOKENS).
	PurposeProviderTokens = "latch provider tokens v1"
)

// ErrWrongKEK is returned by Open for a value sealed under another
// key-encryption key: LATCH_TOKEN_KEK changed since the value was stored.
var ErrWrongKEK = errors.New("token: sealed under a different key-encryption key (LATCH_TOKEN_KEK changed?)")

// ErrSealed is returned by Open for a value that is malformed or was
// tampered with.
var ErrSealed = errors.New("token: sealed value is corrupt or was tampered with")

// ParseKEK decodes a base64 (standard or URL alphabet, padded or not)
// key-encryption key of exactly KEKSize bytes. Its errors never echo the
// value.
func ParseKEK(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			if len(b) != KEKSize {
				return nil, fmt.Errorf("token: key-encryption key is %d bytes, want %d", len(b), KEKSize)
			}
			return b, nil
		}
	}
	return nil, errors.New("token: key-encryption key is not valid base64")
}

// LoadOrCreateKEKFile returns the key-encryption key stored (base64) in
// path, creating the file with a new random key (mode 0600, its directory
// 0700) when it does not exist. It is for development only: production
// passes the key in the environment. It refuses a file readable by group or
// others.
func LoadOrCreateKEKFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return createKEKFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("token: read key-encryption key: %w", err)
	}
	if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("token: %s is readable by others (mode %v); chmod 600 it", path, fi.Mode().Perm())
	}
	kek, err := ParseKEK(string(b))
	if err != nil {
		return nil, fmt.Errorf("%w (in %s)", err, path)
	}
	return kek, nil
}

func createKEKFile(path string) ([]byte, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("token: create key directory: %w", err)
	}
	kek := make([]byte, KEKSize)
	if _, err := rand.Read(kek); err != nil {
		return nil, err
	}
	// O_EXCL: two processes starting at once must not each write a key.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return LoadOrCreateKEKFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("token: create key-encryption key: %w", err)
	}
	_, err = f.WriteString(base64.StdEncoding.EncodeToString(kek) + "\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(path)
		return nil, fmt.Errorf("token: write key-encryption key: %w", err)
	}
	return kek, nil
}

// Sealer encrypts small secrets at rest with AES-256-GCM under a subkey
// derived (HKDF-SHA-256) from the key-encryption key for one purpose.
//
// A sealed value is: version (1 byte) | KEK id (4 bytes) | nonce (12) |
// ciphertext and tag. The KEK id, a truncated HMAC of the KEK, lets Open
// tell "another key" from "corrupt". Callers pass associated data (a row's
// id) that binds the value to where it is stored: a value copied into
// another row does not open.
type Sealer struct {
	aead  cipher.AEAD
	kekID [4]byte
}

const sealVersion = 1

// NewSealer derives the subkey for purpose from kek.
func NewSealer(kek []byte, purpose string) (*Sealer, error) {
	if len(kek) != KEKSize {
		return nil, fmt.Errorf("token: key-encryption key is %d bytes, want %d", len(kek), KEKSize)
	}
	sub, err := hkdf.Key(sha256.New, kek, nil, purpose, 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(sub)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	s := &Sealer{aead: aead}
	mac := hmac.New(sha256.New, kek)
	mac.Write([]byte("latch kek id"))
	copy(s.kekID[:], mac.Sum(nil))
	return s, nil
}

// Seal encrypts plain bound to aad.
func (s *Sealer) Seal(plain, aad []byte) ([]byte, error) {
	out := make([]byte, 1+len(s.kekID)+s.aead.NonceSize(), 1+len(s.kekID)+s.aead.NonceSize()+len(plain)+s.aead.Overhead())
	out[0] = sealVersion
	copy(out[1:], s.kekID[:])
	nonce := out[1+len(s.kekID):]
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return s.aead.Seal(out, nonce, plain, aad), nil
}

// Open decrypts a value made by Seal with the same aad.
//
// Errors: ErrWrongKEK when it was sealed under another key-encryption key;
// ErrSealed when it is malformed, tampered with, or bound to other aad.
func (s *Sealer) Open(sealed, aad []byte) ([]byte, error) {
	head := 1 + len(s.kekID) + s.aead.NonceSize()
	if len(sealed) < head+s.aead.Overhead() || sealed[0] != sealVersion {
		return nil, ErrSealed
	}
	if !bytes.Equal(sealed[1:1+len(s.kekID)], s.kekID[:]) {
		return nil, ErrWrongKEK
	}
	plain, err := s.aead.Open(nil, sealed[1+len(s.kekID):head], sealed[head:], aad)
	if err != nil {
		return nil, ErrSealed
	}
	return plain, nil
}
