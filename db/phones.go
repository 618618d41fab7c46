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
)

var _ auth.PhoneUserStore = (*Users)(nil)

// UserByVerifiedPhone returns the user holding the verified phone identity
// number of the app, or auth.ErrNotFound (also for an unverified one).
func (s *Users) UserByVerifiedPhone(ctx context.Context, appID uuid.UUID, number string) (auth.User, error) {
	var u userRow
	err := s.db.NewSelect().Model(&u).
		Where("id = (SELECT user_id FROM identities WHERE app_id = ? AND kind = ? AND value = ? AND verified_at IS NOT NULL)",
			appID, string(auth.IdentityPhone), number).
		Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return auth.User{}, auth.ErrNotFound
	}
	if err != nil {
		return auth.User{}, fmt.Errorf("db: user by phone: %w", err)
	}
	return u.toDomain(), nil
}

// CreatePhoneUser writes u and its phone identity, verified at u.CreatedAt,
// in one transaction. The identities unique key decides between racing
// signups: the loser gets auth.ErrIdentityTaken and nothing is written.
func (s *Users) CreatePhoneUser(ctx context.Context, u auth.User, number string) error {
	identityID, err := uuid.NewV7()
	if err != nil {
		return err
	}
	now := u.CreatedAt
	err = s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(&userRow{
			ID: u.ID, AppID: u.AppID, Status: string(u.Status), CreatedAt: now, UpdatedAt: now,
		}).Exec(ctx); err != nil {
			return err
		}
		_, err := tx.NewInsert().Model(&identityRow{
			ID: identityID, AppID: u.AppID, UserID: u.ID, Kind: string(auth.IdentityPhone), Value: number,
			VerifiedAt: &now, CreatedAt: now,
		}).Exec(ctx)
		return err
	})
	if isUniqueViolation(err, "identities_app_kind_value_key") {
		return auth.ErrIdentityTaken
	}
	if err != nil {
		return fmt.Errorf("db: create phone user: %w", err)
	}
	return nil
}

// AddVerifiedPhone gives a user of the app the phone identity number,
// verified at at. It returns added false when the user already holds it
// (marking it verified if it was not), and auth.ErrIdentityTaken when
// another user holds it, verified or not.
func (s *Users) AddVerifiedPhone(ctx context.Context, appID, userID uuid.UUID, number string, at time.Time) (bool, error) {
	identityID, err := uuid.NewV7()
	if err != nil {
		return false, err
	}
	at = at.UTC().Truncate(time.Microsecond)
	var inserted bool
	err = s.db.NewRaw(`INSERT INTO identities (id, app_id, user_id, kind, value, verified_at, created_at)
		SELECT ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM users WHERE id = ? AND app_id = ?)
		ON CONFLICT ON CONSTRAINT identities_app_kind_value_key
		DO UPDATE SET verified_at = COALESCE(identities.verified_at, EXCLUDED.verified_at)
		WHERE identities.user_id = EXCLUDED.user_id
		RETURNING (xmax = 0)`,
		identityID, appID, userID, string(auth.IdentityPhone), number, at, at, userID, appID).Scan(ctx, &inserted)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		// No row: either the user is not of this app, or the conflict
		// was with another user's identity (the WHERE held the update).
		var holder uuid.UUID
		err := s.db.NewSelect().Model((*identityRow)(nil)).Column("user_id").
			Where("app_id = ? AND kind = ? AND value = ?", appID, string(auth.IdentityPhone), number).Scan(ctx, &holder)
		if err == nil && holder != userID {
			return false, auth.ErrIdentityTaken
		}
		if errors.Is(err, sql.ErrNoRows) {
			return false, auth.ErrNotFound
		}
		if err != nil {
			return false, fmt.Errorf("db: add phone: %w", err)
		}
		return false, nil
	case err != nil:
		return false, fmt.Errorf("db: add phone: %w", err)
	}
	return inserted, nil // xmax is 0 on a fresh insert, set on an update
}
