package token

import (
	"encoding/base64"
	"time"
)

// JWK is one public key in a JWKS document: an Ed25519 key as an RFC 8037
// octet key pair.
type JWK struct {
	KeyType   string `json:"kty"` // "OKP"
	Curve     string `json:"crv"` // "Ed25519"
	X         string `json:"x"`   // the public key, base64url
	KeyID     string `json:"kid"`
	Use       string `json:"use"` // "sig"
	Algorithm string `json:"alg"` // "EdDSA"
}

// JWKS is an RFC 7517 JSON Web Key Set.
type JWKS struct {
	Keys []JWK `json:"keys"`
}

// JWKS returns the public keys a verifier must know now: the active key,
// keys published ahead of their activation, and rotated-out keys until
// the last token they signed has expired. Newest first.
func (r *Ring) JWKS() JWKS {
	now := r.opt.Clock().UTC()
	doc := JWKS{Keys: []JWK{}}
	for _, k := range r.set.Load().keys {
		if k.RetireAfter != nil && !now.Before(*k.RetireAfter) {
			continue
		}
		doc.Keys = append(doc.Keys, JWK{
			KeyType: "OKP", Curve: "Ed25519", X: base64.RawURLEncoding.EncodeToString(k.Public),
			KeyID: k.ID, Use: "sig", Algorithm: AlgEdDSA,
		})
	}
	return doc
}

// JWKSMaxAge is how long verifiers may cache the JWKS document. A key
// rotated with an activation delay longer than this is known to every
// verifier before it signs anything.
const JWKSMaxAge = 5 * time.Minute
