package web

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/latch-dev/latch/components/ui"
	"github.com/latch-dev/latch/server/auth"
	"github.com/latch-dev/latch/server/pow"
)

// powChallengePath answers GET with a fresh proof-of-work challenge.
const powChallengePath = "/pow/challenge"

// Proofs issues proof-of-work challenges and spends the proofs forms carry
// (server/pow.Issuer).
type Proofs interface {
	Issue() pow.Challenge
	Spend(ctx context.Context, proof string) (pow.Spent, error)
}

// BotCheck is what a form post says about whether a script sent it.
type BotCheck struct {
	// Proof is true when the form carried a valid proof of work, now
	// spent. A missing, replayed, forged, expired or too-easy proof leaves
	// it false: the post still goes ahead, under a stricter budget.
	Proof bool
	// Bits is the difficulty of that proof (0 without one).
	Bits int
	// Honeypot is true when the field no person sees was filled in.
	// A post without the field (an API client, an old page) is not caught.
	Honeypot bool
}

// botCheck reads the bot-friction fields of r's urlencoded form
// (components/ui.BotCheck renders them): it spends the proof of work, if
// one came and Proofs is set, and looks at the honeypot. Call it once per
// request, after readForm or before it (both parse the same body); a
// second call finds the proof already spent.
//
// A refused proof is not an error for the user: it is logged at debug and
// counts as no proof. Only a failure of the spent-proof store is logged
// as an error, and also counts as no proof.
func (s *Server) botCheck(r *http.Request) BotCheck {
	var c BotCheck
	if err := r.ParseForm(); err != nil {
		return c // readForm reports it
	}
	for _, v := range r.PostForm[ui.HoneypotField] {
		c.Honeypot = c.Honeypot || v != ""
	}
	vs := r.PostForm[ui.ProofField]
	if s.Proofs == nil || len(vs) != 1 || vs[0] == "" {
		return c
	}
	spent, err := s.Proofs.Spend(r.Context(), vs[0])
	switch {
	case err == nil:
		c.Proof, c.Bits = true, spent.Bits
	case errors.Is(err, pow.ErrMalformed), errors.Is(err, pow.ErrForged), errors.Is(err, pow.ErrExpired),
		errors.Is(err, pow.ErrTooEasy), errors.Is(err, pow.ErrReplayed):
		s.Logger.DebugContext(r.Context(), "proof of work refused", "err", err,
			"request_id", auth.ClientFrom(r.Context()).RequestID, "path", r.URL.Path)
	default:
		s.Logger.ErrorContext(r.Context(), "proof of work not checked", "err", err,
			"request_id", auth.ClientFrom(r.Context()).RequestID, "path", r.URL.Path)
	}
	return c
}

// powChallengeResponse is GET /pow/challenge's answer.
type powChallengeResponse struct {
	Challenge string `json:"challenge"`
	Bits      int    `json:"bits"`
	ExpiresIn int    `json:"expires_in"` // seconds
}

// powChallenge hands out a signed challenge. It changes nothing: the
// challenge is stateless until a form spends it.
func (s *Server) powChallenge(w http.ResponseWriter, r *http.Request) error {
	ch := s.Proofs.Issue()
	writeJSON(w, http.StatusOK, powChallengeResponse{
		Challenge: ch.Value, Bits: ch.Bits, ExpiresIn: int(ch.ExpiresIn / time.Second),
	})
	return nil
}

// readSendForm is readForm for the unauthenticated forms that send a
// message or create an account: it also reads their bot check, and tells
// the guard (auth.Client.Proof) whether a valid proof of work came with
// the post, so that a plain post meets the stricter budget. A filled
// honeypot never counts as a proof.
func (s *Server) readSendForm(r *http.Request, fields ...string) (map[string]string, error) {
	form, err := readForm(r, fields...)
	if err != nil {
		return nil, err
	}
	bc := s.botCheck(r)
	if bc.Honeypot {
		s.Logger.InfoContext(r.Context(), "honeypot filled", "path", r.URL.Path, "request_id", auth.ClientFrom(r.Context()).RequestID)
	}
	if bc.Proof && !bc.Honeypot {
		c := auth.ClientFrom(r.Context())
		c.Proof = true
		*r = *r.WithContext(auth.WithClient(r.Context(), c))
	}
	return form, nil
}
