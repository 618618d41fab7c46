package db

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/latch-dev/latch/server/pow"
)

// SpentProofs records spent proof-of-work challenges (table pow_spent), so
// every instance of Latch refuses a proof another has accepted.
type SpentProofs struct {
	db    bun.IDB
	clock func() time.Time
}

// NewSpentProofs returns the store over db; a nil clock is time.Now.
func NewSpentProofs(db bun.IDB, clock func() time.Time) *SpentProofs {
	if clock == nil {
		clock = time.Now
	}
	return &SpentProofs{db: db, clock: clock}
}

var _ pow.Store = (*SpentProofs)(nil)

// Spend records id until expires and reports whether it was new. One
// statement: of two concurrent spends of one id, exactly one is fresh.
func (s *SpentProofs) Spend(ctx context.Context, id []byte, expires time.Time) (bool, error) {
	res, err := s.db.NewRaw(`INSERT INTO pow_spent (id, expires_at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING`, id, expires).Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("db: spend proof of work: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("db: spend proof of work: %w", err)
	}
	return n == 1, nil
}

// Prune deletes the ids of challenges that have expired (they are refused
// on their signed expiry alone) and says how many.
func (s *SpentProofs) Prune(ctx context.Context) (int64, error) {
	res, err := s.db.NewDelete().TableExpr("pow_spent").Where("expires_at < ?", s.clock()).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("db: prune spent proofs: %w", err)
	}
	return res.RowsAffected()
}
