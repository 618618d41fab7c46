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

// Settings implements auth.SettingsStore: the account changes a signed-in
// user makes (email, identities, deletion) and the purge of deleted
// accounts. Notices are queued on queue in the transaction that makes the
// change, so a change is never made without its notice.
type Settings struct {
	db    bun.IDB
	users *Users
	queue Enqueuer // nil: notices are dropped (no email delivery)
}

// NewSettings returns the settings store over db; queue may be nil.
func NewSettings(db bun.IDB, queue Enqueuer) *Settings {
	return &Settings{db: db, users: NewUsers(db), queue: queue}
}

var _ auth.SettingsStore = (*Settings)(nil)

// Account returns a user of the app with its identities, or auth.ErrNotFound.
func (s *Settings) Account(ctx context.Context, appID, userID uuid.UUID) (auth.Account, error) {
	return s.users.Account(ctx, appID, userID)
}

// PasswordHash returns the user's password hash, or auth.ErrNotFound.
func (s *Settings) PasswordHash(ctx context.Context, appID, userID uuid.UUID) (string, error) {
	return passwordHash(ctx, s.db, appID, userID)
}

// lockActive locks the users row of an active user of the app, or returns
// auth.ErrNotFound.
func lockActive(ctx context.Context, tx bun.Tx, appID, userID uuid.UUID) error {
	var id uuid.UUID
	err := tx.NewSelect().Model((*userRow)(nil)).Column("id").
		Where("id = ? AND app_id = ? AND status = 'active'", userID, appID).For("UPDATE").Scan(ctx, &id)
	if errors.Is(err, sql.ErrNoRows) {
		return auth.ErrNotFound
	}
	return err
}

// ReplaceEmail makes email the user's one email identity, verified at at,
// and queues notice(old) in the same transaction. It returns the address
// replaced, auth.ErrIdentityTaken when another user of the app holds
// email (nothing changes), or auth.ErrNotFound for a user not active.
func (s *Settings) ReplaceEmail(ctx context.Context, appID, userID uuid.UUID, email string, at time.Time,
	notice func(old string) (*auth.Message, error)) (string, error) {
	identityID, err := uuid.NewV7()
	if err != nil {
		return "", err
	}
	at = at.UTC().Truncate(time.Microsecond)
	var old string
	err = s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := lockActive(ctx, tx, appID, userID); err != nil {
			return err
		}
		var olds []string
		if err := tx.NewSelect().Model((*identityRow)(nil)).Column("value").
			Where("user_id = ? AND kind = ?", userID, string(auth.IdentityEmail)).Scan(ctx, &olds); err != nil {
			return err
		}
		if len(olds) > 0 {
			old = olds[0]
		}
		if old == email {
			_, err := tx.NewUpdate().Model((*identityRow)(nil)).Set("verified_at = coalesce(verified_at, ?)", at).
				Where("user_id = ? AND kind = ? AND value = ?", userID, string(auth.IdentityEmail), email).Exec(ctx)
			return err
		}
		if _, err := tx.NewDelete().Model((*identityRow)(nil)).
			Where("user_id = ? AND kind = ?", userID, string(auth.IdentityEmail)).Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.NewInsert().Model(&identityRow{ID: identityID, AppID: appID, UserID: userID,
			Kind: string(auth.IdentityEmail), Value: email, VerifiedAt: &at, CreatedAt: at}).Exec(ctx); err != nil {
			return err
		}
		// Codes still outstanding for the old address are void with it.
		if _, err := tx.NewUpdate().Model((*oneTimeRow)(nil)).Set("voided_at = ?", at).
			Where("app_id = ? AND user_id = ? AND identity IN (?) AND consumed_at IS NULL AND voided_at IS NULL", appID, userID, bun.In(append(olds, ""))).
			Exec(ctx); err != nil {
			return err
		}
		return s.enqueue(ctx, tx, notice, old)
	})
	if isUniqueViolation(err, "identities_app_kind_value_key") {
		return "", auth.ErrIdentityTaken
	}
	if errors.Is(err, auth.ErrNotFound) {
		return "", err
	}
	if err != nil {
		return "", fmt.Errorf("db: replace email: %w", err)
	}
	return old, nil
}

func (s *Settings) enqueue(ctx context.Context, tx bun.Tx, notice func(string) (*auth.Message, error), old string) error {
	if notice == nil || s.queue == nil {
		return nil
	}
	m, err := notice(old)
	if err != nil || m == nil {
		return err
	}
	return s.queue.Enqueue(ctx, tx, outboxMessage(*m))
}

// RemoveIdentity deletes the user's identity of kind and value if allowed
// (called under a lock on the users row, with the account and whether it
// has a password) returns nil. It returns auth.ErrNotFound when the user is
// not active or holds no such identity.
func (s *Settings) RemoveIdentity(ctx context.Context, appID, userID uuid.UUID, kind auth.IdentityKind, value string,
	allowed func(auth.Account, bool) error) error {
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := lockActive(ctx, tx, appID, userID); err != nil {
			return err
		}
		acct, err := NewUsers(tx).Account(ctx, appID, userID)
		if err != nil {
			return err
		}
		held := false
		for _, id := range acct.Identities {
			held = held || (id.Kind == kind && id.Value == value)
		}
		if !held {
			return auth.ErrNotFound
		}
		hasPassword, err := tx.NewSelect().Model((*passwordRow)(nil)).Where("user_id = ?", userID).Exists(ctx)
		if err != nil {
			return err
		}
		if err := allowed(acct, hasPassword); err != nil {
			return err
		}
		_, err = tx.NewDelete().Model((*identityRow)(nil)).
			Where("app_id = ? AND user_id = ? AND kind = ? AND value = ?", appID, userID, string(kind), value).Exec(ctx)
		return err
	})
	var ae *auth.Error
	if errors.Is(err, auth.ErrNotFound) || errors.As(err, &ae) {
		return err
	}
	if err != nil {
		return fmt.Errorf("db: remove identity: %w", err)
	}
	return nil
}

// BeginDeletion marks an active user deleted at at, purged after
// purgeAfter, and in the same transaction deletes the user's sessions,
// revokes their token families and voids their outstanding codes. It
// returns how many sessions ended, or auth.ErrNotFound.
func (s *Settings) BeginDeletion(ctx context.Context, appID, userID uuid.UUID, at, purgeAfter time.Time) (int, error) {
	at = at.UTC()
	var ended int64
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model((*userRow)(nil)).
			Set("status = 'deleted'").Set("deleted_at = ?", at).Set("purge_after = ?", purgeAfter.UTC()).Set("updated_at = ?", at).
			Where("id = ? AND app_id = ? AND status = 'active'", userID, appID).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return auth.ErrNotFound
		}
		res, err = tx.NewDelete().Model((*sessionRow)(nil)).Where("user_id = ?", userID).Exec(ctx)
		if err != nil {
			return err
		}
		ended, _ = res.RowsAffected()
		if _, err := tx.NewUpdate().Model((*tokenFamilyRow)(nil)).
			Set("revoked_at = ?", at).Set("revoke_reason = 'account_deleted'").
			Where("user_id = ? AND revoked_at IS NULL", userID).Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.NewUpdate().Model((*oneTimeRow)(nil)).Set("voided_at = ?", at).
			Where("user_id = ? AND consumed_at IS NULL AND voided_at IS NULL", userID).Exec(ctx); err != nil {
			return err
		}
		// An account recovery under way ends with the account.
		_, err = tx.NewUpdate().Model((*recoveryRequestRow)(nil)).Set("cancelled_at = ?", at).
			Where("user_id = ? AND cancelled_at IS NULL AND completed_at IS NULL", userID).Exec(ctx)
		return err
	})
	if errors.Is(err, auth.ErrNotFound) {
		return 0, err
	}
	if err != nil {
		return 0, fmt.Errorf("db: begin deletion: %w", err)
	}
	return int(ended), nil
}

// PurgeDue purges up to limit users whose grace period ended before now,
// each in its own transaction: their identities, password, sessions,
// token families (and refresh tokens) and codes (bound to them, or sent
// to their identities) are deleted, their audit events anonymised
// (anonymise_audit_events), and the users row kept with purged_at. Rows
// locked by a concurrent purge are skipped.
func (s *Settings) PurgeDue(ctx context.Context, now time.Time, limit int) ([]auth.User, error) {
	now = now.UTC()
	var ids []uuid.UUID
	if err := s.db.NewSelect().Model((*userRow)(nil)).Column("id").
		Where("status = 'deleted' AND purged_at IS NULL AND purge_after <= ?", now).
		OrderExpr("purge_after").Limit(int64(limit)).Scan(ctx, &ids); err != nil {
		return nil, fmt.Errorf("db: purge due: %w", err)
	}
	var done []auth.User
	for _, id := range ids {
		var u userRow
		err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			err := tx.NewSelect().Model(&u).
				Where("id = ? AND status = 'deleted' AND purged_at IS NULL AND purge_after <= ?", id, now).
				For("UPDATE SKIP LOCKED").Scan(ctx)
			if errors.Is(err, sql.ErrNoRows) {
				return nil // restored, or taken by another instance
			}
			if err != nil {
				return err
			}
			var values []string
			if err := tx.NewSelect().Model((*identityRow)(nil)).Column("value").Where("user_id = ?", id).Scan(ctx, &values); err != nil {
				return err
			}
			q := tx.NewDelete().Model((*oneTimeRow)(nil)).Where("user_id = ?", id)
			if len(values) > 0 {
				q = q.WhereOr("app_id = ? AND identity IN (?)", u.AppID, bun.In(values))
			}
			for _, del := range []*bun.DeleteQuery{
				q,
				tx.NewDelete().Model((*identityRow)(nil)).Where("user_id = ?", id),
				tx.NewDelete().Model((*passwordRow)(nil)).Where("user_id = ?", id),
				tx.NewDelete().Model((*sessionRow)(nil)).Where("user_id = ?", id),
				tx.NewDelete().Model((*tokenFamilyRow)(nil)).Where("user_id = ?", id),
				tx.NewDelete().TableExpr("totp_factors").Where("user_id = ?", id),
				tx.NewDelete().TableExpr("recovery_codes").Where("user_id = ?", id),
				tx.NewDelete().Model((*passkeyRow)(nil)).Where("user_id = ?", id),
				tx.NewDelete().Model((*webauthnHandleRow)(nil)).Where("user_id = ?", id),
				tx.NewDelete().Model((*recoveryRequestRow)(nil)).Where("user_id = ?", id),
			} {
				if _, err := del.Exec(ctx); err != nil {
					return err
				}
			}
			if _, err := tx.ExecContext(ctx, "SELECT anonymise_audit_events(?)", id); err != nil {
				return err
			}
			_, err = tx.NewUpdate().Model((*userRow)(nil)).Set("purged_at = ?", now).Set("updated_at = ?", now).
				Where("id = ?", id).Exec(ctx)
			if err == nil {
				done = append(done, u.toDomain())
			}
			return err
		})
		if err != nil {
			return done, fmt.Errorf("db: purge user: %w", err)
		}
	}
	return done, nil
}

// UserEvents returns at most limit audit events of the user of the app
// with an id below before (0: from the newest), newest first.
func (a *Audit) UserEvents(ctx context.Context, appID, userID uuid.UUID, before int64, limit int) ([]auth.SecurityEvent, error) {
	var rows []auditRow
	q := a.db.NewSelect().Model(&rows).Where("app_id = ? AND user_id = ?", appID, userID)
	if before > 0 {
		q = q.Where("id < ?", before)
	}
	if err := q.OrderExpr("id DESC").Limit(int64(limit)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("db: user audit events: %w", err)
	}
	out := make([]auth.SecurityEvent, len(rows))
	for i, r := range rows {
		out[i] = auth.SecurityEvent{ID: r.ID, Name: r.Event, Outcome: auth.Outcome(r.Outcome), IP: r.IP, UserAgent: r.UserAgent, Detail: r.Detail, At: r.CreatedAt}
	}
	return out, nil
}
