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
	"github.com/latch-dev/latch/server/outbox"
)

type totpRow struct {
	bun.BaseModel `bun:"table:totp_factors"`

	UserID       uuid.UUID  `bun:"user_id,pk,type:uuid"`
	AppID        uuid.UUID  `bun:"app_id,type:uuid"`
	SecretSealed []byte     `bun:"secret_sealed"`
	CreatedAt    time.Time  `bun:"created_at"`
	ConfirmedAt  *time.Time `bun:"confirmed_at"`
	LastStep     int64      `bun:"last_step"`
	Failures     int        `bun:"failures"`
}

type recoveryRow struct {
	bun.BaseModel `bun:"table:recovery_codes"`

	ID        uuid.UUID  `bun:"id,pk,type:uuid"`
	UserID    uuid.UUID  `bun:"user_id,type:uuid"`
	CodeHash  []byte     `bun:"code_hash"`
	CreatedAt time.Time  `bun:"created_at"`
	UsedAt    *time.Time `bun:"used_at"`
}

// TwoFactor implements auth.TwoFactorStore: TOTP factors (sealed secrets)
// and hashed recovery codes.
type TwoFactor struct {
	db bun.IDB
}

// NewTwoFactor returns the second-factor store over db.
func NewTwoFactor(db bun.IDB) *TwoFactor { return &TwoFactor{db: db} }

var _ auth.TwoFactorStore = (*TwoFactor)(nil)

// TOTP returns the user's factor, or auth.ErrNotFound.
func (s *TwoFactor) TOTP(ctx context.Context, appID, userID uuid.UUID) (auth.TOTPFactor, error) {
	// Bound: the account page and every sign-in ask.
	var r totpRow
	err := bound(s.db).QueryRowContext(ctx, `SELECT user_id, secret_sealed, confirmed_at, last_step
		FROM totp_factors WHERE user_id = $1 AND app_id = $2`, userID, appID).
		Scan(&r.UserID, &r.SecretSealed, &r.ConfirmedAt, &r.LastStep)
	if errors.Is(err, sql.ErrNoRows) {
		return auth.TOTPFactor{}, auth.ErrNotFound
	}
	if err != nil {
		return auth.TOTPFactor{}, fmt.Errorf("db: totp: %w", err)
	}
	return auth.TOTPFactor{UserID: r.UserID, Sealed: r.SecretSealed, ConfirmedAt: r.ConfirmedAt, LastStep: r.LastStep}, nil
}

// BeginTOTP stores an unconfirmed secret, replacing an unconfirmed one;
// auth.ErrTOTPActive when a confirmed factor exists.
func (s *TwoFactor) BeginTOTP(ctx context.Context, appID, userID uuid.UUID, sealed []byte, at time.Time) error {
	res, err := s.db.NewRaw(`INSERT INTO totp_factors (user_id, app_id, secret_sealed, created_at)
		SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM users WHERE id = ? AND app_id = ?)
		ON CONFLICT (user_id) DO UPDATE SET secret_sealed = EXCLUDED.secret_sealed, created_at = EXCLUDED.created_at,
			last_step = 0, failures = 0
		WHERE totp_factors.confirmed_at IS NULL`,
		userID, appID, sealed, at, userID, appID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("db: begin totp: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := s.TOTP(ctx, appID, userID); err == nil {
			return auth.ErrTOTPActive
		}
		return auth.ErrNotFound
	}
	return nil
}

// ConfirmTOTP turns the unconfirmed factor on and replaces the recovery
// codes, in one transaction; auth.ErrNotFound without an unconfirmed one.
func (s *TwoFactor) ConfirmTOTP(ctx context.Context, appID, userID uuid.UUID, step int64, recovery [][]byte, at time.Time) error {
	return s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model((*totpRow)(nil)).
			Set("confirmed_at = ?", at).Set("last_step = ?", step).Set("failures = 0").
			Where("user_id = ? AND app_id = ? AND confirmed_at IS NULL", userID, appID).Exec(ctx)
		if err != nil {
			return fmt.Errorf("db: confirm totp: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return auth.ErrNotFound
		}
		return replaceRecovery(ctx, tx, userID, recovery, at)
	})
}

func replaceRecovery(ctx context.Context, tx bun.Tx, userID uuid.UUID, hashes [][]byte, at time.Time) error {
	if _, err := tx.NewDelete().Model((*recoveryRow)(nil)).Where("user_id = ?", userID).Exec(ctx); err != nil {
		return fmt.Errorf("db: void recovery codes: %w", err)
	}
	rows := make([]recoveryRow, len(hashes))
	for i, h := range hashes {
		id, err := uuid.NewV7()
		if err != nil {
			return err
		}
		rows[i] = recoveryRow{ID: id, UserID: userID, CodeHash: h, CreatedAt: at}
	}
	if len(rows) == 0 {
		return nil
	}
	if _, err := tx.NewInsert().Model(&rows).Exec(ctx); err != nil {
		return fmt.Errorf("db: store recovery codes: %w", err)
	}
	return nil
}

// UseTOTPStep records step as used when it is later than the last used
// step of a confirmed factor, clearing the failure count.
func (s *TwoFactor) UseTOTPStep(ctx context.Context, appID, userID uuid.UUID, step int64) (bool, error) {
	res, err := s.db.NewUpdate().Model((*totpRow)(nil)).Set("last_step = ?", step).Set("failures = 0").
		Where("user_id = ? AND app_id = ? AND confirmed_at IS NOT NULL AND last_step < ?", userID, appID, step).Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("db: use totp step: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// UseRecoveryCode spends the unused code stored under hash, clearing the
// failure count, and counts the unused codes left.
func (s *TwoFactor) UseRecoveryCode(ctx context.Context, appID, userID uuid.UUID, hash []byte, at time.Time) (bool, int, error) {
	var ok bool
	var left int
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model((*recoveryRow)(nil)).Set("used_at = ?", at).
			Where("user_id = ? AND code_hash = ? AND used_at IS NULL", userID, hash).
			Where("EXISTS (SELECT 1 FROM totp_factors WHERE user_id = ? AND app_id = ? AND confirmed_at IS NOT NULL)", userID, appID).
			Exec(ctx)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		if ok = n == 1; !ok {
			return nil
		}
		if _, err := tx.NewUpdate().Model((*totpRow)(nil)).Set("failures = 0").Where("user_id = ?", userID).Exec(ctx); err != nil {
			return err
		}
		n, err = tx.NewSelect().Model((*recoveryRow)(nil)).Where("user_id = ? AND used_at IS NULL", userID).Count(ctx)
		left = int(n)
		return err
	})
	if err != nil {
		return false, 0, fmt.Errorf("db: use recovery code: %w", err)
	}
	return ok, left, nil
}

// ReplaceRecoveryCodes voids every recovery code of a user with a
// confirmed factor and stores hashes; auth.ErrNotFound without one.
func (s *TwoFactor) ReplaceRecoveryCodes(ctx context.Context, appID, userID uuid.UUID, hashes [][]byte, at time.Time) error {
	return s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		n, err := tx.NewSelect().Model((*totpRow)(nil)).
			Where("user_id = ? AND app_id = ? AND confirmed_at IS NOT NULL", userID, appID).For("UPDATE").Count(ctx)
		if err != nil {
			return fmt.Errorf("db: recovery codes: %w", err)
		}
		if n == 0 {
			return auth.ErrNotFound
		}
		return replaceRecovery(ctx, tx, userID, hashes, at)
	})
}

// RecoveryCodesLeft counts the unused recovery codes.
func (s *TwoFactor) RecoveryCodesLeft(ctx context.Context, appID, userID uuid.UUID) (int, error) {
	n, err := s.db.NewSelect().Model((*recoveryRow)(nil)).
		Where("user_id = ? AND used_at IS NULL", userID).
		Where("EXISTS (SELECT 1 FROM users WHERE id = ? AND app_id = ?)", userID, appID).Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("db: count recovery codes: %w", err)
	}
	return int(n), nil
}

// DeleteTOTP removes the factor and the recovery codes, reporting whether
// a confirmed factor was removed.
func (s *TwoFactor) DeleteTOTP(ctx context.Context, appID, userID uuid.UUID) (bool, error) {
	var was bool
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var confirmed []*time.Time
		err := tx.NewDelete().Model((*totpRow)(nil)).Where("user_id = ? AND app_id = ?", userID, appID).
			Returning("confirmed_at").Scan(ctx, &confirmed)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if len(confirmed) == 0 {
			return nil
		}
		was = confirmed[0] != nil
		_, err = tx.NewDelete().Model((*recoveryRow)(nil)).Where("user_id = ?", userID).Exec(ctx)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("db: delete totp: %w", err)
	}
	return was, nil
}

// AddFailure counts one wrong second factor; the limit-th in a row resets
// the count and reports locked. One statement, so parallel attempts are
// each counted.
func (s *TwoFactor) AddFailure(ctx context.Context, appID, userID uuid.UUID, limit int) (bool, error) {
	var after []int
	err := s.db.NewRaw(`UPDATE totp_factors SET failures = CASE WHEN failures + 1 >= ? THEN 0 ELSE failures + 1 END
		WHERE user_id = ? AND app_id = ? RETURNING failures`, limit, userID, appID).Scan(ctx, &after)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return false, fmt.Errorf("db: second factor failure: %w", err)
	}
	return len(after) == 1 && after[0] == 0, nil
}

// Notices implements auth.Notifier: it queues a message on the outbox in a
// transaction of its own.
type Notices struct {
	db    *bun.DB
	queue Enqueuer
}

// NewNotices returns a notifier that queues on queue.
func NewNotices(db *bun.DB, queue Enqueuer) *Notices { return &Notices{db: db, queue: queue} }

var _ auth.Notifier = (*Notices)(nil)

// Notify queues m (email, or SMS when m.SMS).
func (n *Notices) Notify(ctx context.Context, m auth.Message) error {
	msg := outbox.Message{Kind: outbox.Email, To: m.To, Subject: m.Subject, Text: m.Text, HTML: m.HTML, Purpose: m.Purpose, Expires: m.Expires}
	if m.SMS {
		msg.Kind, msg.Subject, msg.HTML = outbox.SMS, "", ""
	}
	return n.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error { return n.queue.Enqueue(ctx, tx, msg) })
}
