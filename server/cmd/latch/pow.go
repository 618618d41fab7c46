package main

import (
	"context"
	"time"

	"github.com/latch-dev/latch/db"
	"github.com/latch-dev/latch/server/config"
	"github.com/latch-dev/latch/server/guard"
	"github.com/latch-dev/latch/server/pow"
)

// proofsOfWork is the proof-of-work issuer behind GET /pow/challenge and
// the forms' bot check: challenges signed with a key derived from the KEK
// (no other secret to configure), LATCH_POW_BITS hard at level 0, spent
// ids recorded in spent (pruned with the other expired rows).
func proofsOfWork(cfg config.Config, kek []byte, spent *db.SpentProofs) (*pow.Issuer, error) {
	key, err := pow.DeriveKey(kek)
	if err != nil {
		return nil, err
	}
	return pow.NewIssuer(key, spent, pow.Options{Bits: cfg.PowBits})
}

// followLevel sets the issuer's level to the guard's every few seconds
// until ctx ends: while a send or sign-up budget trips, new challenges ask
// for more work.
func followLevel(ctx context.Context, g *guard.Guard, proofs *pow.Issuer) {
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			proofs.SetLevel(g.Level())
		}
	}
}
