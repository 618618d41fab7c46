package db

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/latch-dev/latch/server/token"
)

type signingKeyRow struct {
	bun.BaseModel `bun:"table:signing_keys"`

	KID              string     `bun:"kid,pk"`
	Alg              string     `bun:"alg"`
	PublicKey        []byte     `bun:"public_key"`
	PrivateKeySealed []byte     `bun:"private_key_sealed"`
	CreatedAt        time.Time  `bun:"created_at"`
	NotBefore        time.Time  `bun:"not_before"`
	RetiredAt        *time.Time `bun:"retired_at"`
	RetireAfter      *time.Time `bun:"retire_after"`
}

// signingKeysLock is the pg_advisory_xact_lock key that serialises creating
// and rotating signing keys across instances.
const signingKeysLock int64 = 0x6c61746368_6b79 // "latch" "ky"

// SigningKeys implements token.KeyStore on PostgreSQL. Private keys arrive
// sealed; this store never sees them in the clear.
type SigningKeys struct{ db bun.IDB }

// NewSigningKeys returns a signing-key store over db.
func NewSigningKeys(db bun.IDB) *SigningKeys { return &SigningKeys{db: db} }

var _ token.KeyStore = (*SigningKeys)(nil)

// SigningKeys returns the keys still published at now.
func (s *SigningKeys) SigningKeys(ctx context.Context, now time.Time) ([]token.StoredKey, error) {
	var rows []signingKeyRow
	err := s.db.NewSelect().Model(&rows).
		Where("retire_after IS NULL OR retire_after > ?", now.UTC()).
		OrderExpr("not_before DESC").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("db: signing keys: %w", err)
	}
	out := make([]token.StoredKey, len(rows))
	for i, r := range rows {
		out[i] = token.StoredKey{
			ID: r.KID, Alg: r.Alg, Public: r.PublicKey, SealedPrivate: r.PrivateKeySealed,
			CreatedAt: r.CreatedAt, NotBefore: r.NotBefore, RetiredAt: r.RetiredAt, RetireAfter: r.RetireAfter,
		}
	}
	return out, nil
}

// EnsureSigningKey inserts newKey() unless a key that is not retired
// exists. The advisory lock makes instances starting together insert one.
func (s *SigningKeys) EnsureSigningKey(ctx context.Context, newKey func() (token.StoredKey, error)) (bool, error) {
	created := false
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(?)", signingKeysLock); err != nil {
			return err
		}
		n, err := tx.NewSelect().Model((*signingKeyRow)(nil)).Where("retired_at IS NULL").Count(ctx)
		if err != nil || n > 0 {
			return err
		}
		k, err := newKey()
		if err != nil {
			return err
		}
		if _, err := tx.NewInsert().Model(toSigningKeyRow(k)).Exec(ctx); err != nil {
			return err
		}
		created = true
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("db: ensure signing key: %w", err)
	}
	return created, nil
}

// RotateSigningKey retires every key that is not retired yet at
// k.NotBefore (published until retireAfter) and inserts k, in one
// transaction.
func (s *SigningKeys) RotateSigningKey(ctx context.Context, k token.StoredKey, retireAfter time.Time) error {
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(?)", signingKeysLock); err != nil {
			return err
		}
		if _, err := tx.NewUpdate().Model((*signingKeyRow)(nil)).
			Set("retired_at = ?", k.NotBefore.UTC()).
			Set("retire_after = ?", retireAfter.UTC()).
			Where("retired_at IS NULL").Exec(ctx); err != nil {
			return err
		}
		_, err := tx.NewInsert().Model(toSigningKeyRow(k)).Exec(ctx)
		return err
	})
	if err != nil {
		return fmt.Errorf("db: rotate signing key: %w", err)
	}
	return nil
}

func toSigningKeyRow(k token.StoredKey) *signingKeyRow {
	return &signingKeyRow{
		KID: k.ID, Alg: k.Alg, PublicKey: k.Public, PrivateKeySealed: k.SealedPrivate,
		CreatedAt: k.CreatedAt.UTC(), NotBefore: k.NotBefore.UTC(), RetiredAt: k.RetiredAt, RetireAfter: k.RetireAfter,
	}
}
