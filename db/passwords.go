package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/latch-dev/latch/server/auth"
	"github.com/latch-dev/latch/server/otp"
)

// Passwords implements auth.PasswordStore: a new password, and everything
// that must happen with it, in one transaction.
type Passwords struct {
	db      bun.IDB
	onetime *OneTime
	queue   Enqueuer
	clock   func() time.Time
}

// NewPasswords returns the password store over db; it spends one-time
// codes and links of onetime and queues notices on queue. clock nil means
// time.Now.
func NewPasswords(db bun.IDB, onetime *OneTime, queue Enqueuer, clock func() time.Time) *Passwords {
	if clock == nil {
		clock = time.Now
	}
	return &Passwords{db: db, onetime: onetime, queue: queue, clock: clock}
}

var _ auth.PasswordStore = (*Passwords)(nil)

// PasswordHash returns the user's stored password hash, or auth.ErrNotFound
// when the user has none (a passwordless account).
func (s *Passwords) PasswordHash(ctx context.Context, appID, userID uuid.UUID) (string, error) {
	return passwordHash(ctx, s.db, appID, userID)
}

// SetPassword, in one transaction: spends c.Spend (the code or link that
// proved a reset), stores the hash (creating the credential of an account
// that had none), voids the user's other outstanding reset codes and links,
// deletes the user's sessions but c.Keep when c.EndSessions, revokes every
// token family of the user except those of sessions still standing, and
// queues c.Notice. So either all of it happens or none.
//
// Errors: otp.ErrUsed when c.Spend is no longer usable (spent, voided or
// expired since it was checked); auth.ErrNotFound when the app has no such
// active user; anything else is internal.
// SpendProof spends the reset code or link id, if it is still usable,
// without changing anything else: a reset of an account with a second
// factor spends its proof at once and commits later. It returns
// otp.ErrUsed when it is not usable.
func (s *Passwords) SpendProof(ctx context.Context, id uuid.UUID) error {
	return s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		return s.onetime.SpendTx(ctx, tx, id)
	})
}

func (s *Passwords) SetPassword(ctx context.Context, c auth.PasswordChange) (auth.PasswordChanged, error) {
	var out auth.PasswordChanged
	now := s.clock().UTC()
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var status string
		err := tx.NewSelect().Model((*userRow)(nil)).Column("status").
			Where("id = ? AND app_id = ?", c.UserID, c.AppID).For("UPDATE").Scan(ctx, &status)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && status != string(auth.StatusActive)) {
			return auth.ErrNotFound
		}
		if err != nil {
			return err
		}
		if c.Spend != uuid.Nil {
			if err := s.onetime.SpendTx(ctx, tx, c.Spend); err != nil {
				return err
			}
		}
		if _, err := tx.NewInsert().Model(&passwordRow{UserID: c.UserID, Hash: c.Hash, CreatedAt: now, UpdatedAt: now}).
			On("CONFLICT (user_id) DO UPDATE").
			Set("hash = EXCLUDED.hash").Set("updated_at = EXCLUDED.updated_at").
			Exec(ctx); err != nil {
			return err
		}
		// A reset code or link sent before the change must not undo it.
		if _, err := tx.NewUpdate().Model((*oneTimeRow)(nil)).Set("voided_at = ?", now).
			Where("app_id = ? AND user_id = ? AND purpose = ?", c.AppID, c.UserID, string(otp.PurposeResetPassword)).
			Where("consumed_at IS NULL AND voided_at IS NULL").Exec(ctx); err != nil {
			return err
		}
		if c.Reason == "password_reset" {
			if _, err := tx.NewUpdate().Model((*userRow)(nil)).Set("password_reset_at = ?", now).
				Where("id = ?", c.UserID).Exec(ctx); err != nil {
				return err
			}
		}
		if c.EndSessions {
			q := tx.NewDelete().Model((*sessionRow)(nil)).Where("user_id = ?", c.UserID)
			if c.Keep != "" {
				q = q.Where("public_id <> ?", c.Keep)
			}
			res, err := q.Exec(ctx)
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			out.Sessions = int(n)
		}
		// A session family lives and dies with its session: those of
		// sessions kept stand (each ends when its session does).
		keptSessions := func(q *bun.UpdateQuery) *bun.UpdateQuery {
			return q.Where("NOT (kind = 'session' AND session_hash IN (SELECT token_hash FROM sessions WHERE user_id = ?))", c.UserID)
		}
		if out.Families, err = revokeFamiliesTx(ctx, tx, c.AppID, c.UserID, now, c.Reason, keptSessions); err != nil {
			return err
		}
		if c.Notice != nil && s.queue != nil {
			return s.queue.Enqueue(ctx, tx, outboxMessage(*c.Notice))
		}
		return nil
	})
	switch {
	case errors.Is(err, otp.ErrUsed), errors.Is(err, auth.ErrNotFound):
		return auth.PasswordChanged{}, err
	case err != nil:
		return auth.PasswordChanged{}, fmt.Errorf("db: set password: %w", err)
	}
	return out, nil
}
