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

type recoveryRequestRow struct {
	bun.BaseModel `bun:"table:recovery_requests"`

	ID          uuid.UUID  `bun:"id,pk,type:uuid"`
	AppID       uuid.UUID  `bun:"app_id,type:uuid"`
	UserID      uuid.UUID  `bun:"user_id,type:uuid"`
	Method      string     `bun:"method"`
	FinishHash  []byte     `bun:"finish_hash"`
	CancelHash  []byte     `bun:"cancel_hash"`
	CreatedAt   time.Time  `bun:"created_at"`
	ReadyAt     time.Time  `bun:"ready_at"`
	ExpiresAt   time.Time  `bun:"expires_at"`
	CancelledAt *time.Time `bun:"cancelled_at"`
	CompletedAt *time.Time `bun:"completed_at"`
}

func (r recoveryRequestRow) toDomain() auth.RecoveryRequest {
	return auth.RecoveryRequest{ID: r.ID, AppID: r.AppID, UserID: r.UserID, Method: r.Method, CreatedAt: r.CreatedAt,
		ReadyAt: r.ReadyAt, ExpiresAt: r.ExpiresAt, CancelledAt: r.CancelledAt, CompletedAt: r.CompletedAt}
}

// Recoveries implements auth.RecoveryStore on PostgreSQL (table
// recovery_requests), queueing notices on an outbox in the same
// transactions.
type Recoveries struct {
	db    *bun.DB
	queue Enqueuer
}

// NewRecoveries returns the recovery store over db, queueing on queue.
func NewRecoveries(db *bun.DB, queue Enqueuer) *Recoveries { return &Recoveries{db: db, queue: queue} }

var _ auth.RecoveryStore = (*Recoveries)(nil)

// Create stores the request and queues its notices, or returns
// auth.ErrRecoveryOpen when the user has an open request.
func (s *Recoveries) Create(ctx context.Context, r auth.RecoveryStart) error {
	q := r.Request
	row := recoveryRequestRow{ID: q.ID, AppID: q.AppID, UserID: q.UserID, Method: q.Method, FinishHash: r.FinishHash,
		CancelHash: r.CancelHash, CreatedAt: q.CreatedAt, ReadyAt: q.ReadyAt, ExpiresAt: q.ExpiresAt}
	return s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		// An open request that has expired no longer blocks a new one.
		if _, err := tx.NewUpdate().Model((*recoveryRequestRow)(nil)).Set("cancelled_at = ?", q.CreatedAt).
			Where("user_id = ? AND cancelled_at IS NULL AND completed_at IS NULL AND expires_at <= ?", q.UserID, q.CreatedAt).
			Exec(ctx); err != nil {
			return fmt.Errorf("db: expire old recovery: %w", err)
		}
		if _, err := tx.NewInsert().Model(&row).Exec(ctx); err != nil {
			if isUniqueViolation(err, "recovery_requests_open_key") {
				return auth.ErrRecoveryOpen
			}
			return fmt.Errorf("db: create recovery: %w", err)
		}
		return s.enqueue(ctx, tx, r.Notices)
	})
}

func (s *Recoveries) enqueue(ctx context.Context, tx bun.Tx, notices []auth.Message) error {
	for _, m := range notices {
		if err := s.queue.Enqueue(ctx, tx, outboxMessage(m)); err != nil {
			return err
		}
	}
	return nil
}

// ByFinishHash finds the request whose finish token hashes to hash.
func (s *Recoveries) ByFinishHash(ctx context.Context, appID uuid.UUID, hash []byte) (auth.RecoveryRequest, error) {
	return s.one(ctx, s.db.NewSelect().Where("app_id = ? AND finish_hash = ?", appID, hash))
}

// ByCancelHash finds the request whose cancel token hashes to hash.
func (s *Recoveries) ByCancelHash(ctx context.Context, appID uuid.UUID, hash []byte) (auth.RecoveryRequest, error) {
	return s.one(ctx, s.db.NewSelect().Where("app_id = ? AND cancel_hash = ?", appID, hash))
}

// Open returns the user's request that is neither cancelled nor completed.
func (s *Recoveries) Open(ctx context.Context, appID, userID uuid.UUID) (auth.RecoveryRequest, error) {
	// Bound: the account page asks on every view.
	var r recoveryRequestRow
	err := bound(s.db).QueryRowContext(ctx, `SELECT id, app_id, user_id, method, created_at, ready_at, expires_at, cancelled_at, completed_at
		FROM recovery_requests
		WHERE app_id = $1 AND user_id = $2 AND cancelled_at IS NULL AND completed_at IS NULL
		LIMIT 1`, appID, userID).Scan(&r.ID, &r.AppID, &r.UserID, &r.Method, &r.CreatedAt, &r.ReadyAt, &r.ExpiresAt, &r.CancelledAt, &r.CompletedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return auth.RecoveryRequest{}, auth.ErrNotFound
	}
	if err != nil {
		return auth.RecoveryRequest{}, fmt.Errorf("db: recovery: %w", err)
	}
	return r.toDomain(), nil
}

func (s *Recoveries) one(ctx context.Context, q *bun.SelectQuery) (auth.RecoveryRequest, error) {
	var row recoveryRequestRow
	err := q.Model(&row).Limit(1).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return auth.RecoveryRequest{}, auth.ErrNotFound
	}
	if err != nil {
		return auth.RecoveryRequest{}, fmt.Errorf("db: recovery: %w", err)
	}
	return row.toDomain(), nil
}

// Cancel marks an open request cancelled, reporting whether it was open.
func (s *Recoveries) Cancel(ctx context.Context, id uuid.UUID, at time.Time) (bool, error) {
	res, err := s.db.NewUpdate().Model((*recoveryRequestRow)(nil)).Set("cancelled_at = ?", at).
		Where("id = ? AND cancelled_at IS NULL AND completed_at IS NULL", id).Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("db: cancel recovery: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// Complete finishes an open, ready request in one transaction: the request
// is marked completed (its row locked first, so it completes once), every
// email identity of the user is replaced by f.Email (unverified), the
// password is set, every session deleted, every token family revoked and
// the notices queued.
func (s *Recoveries) Complete(ctx context.Context, f auth.RecoveryFinish) error {
	return s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model((*recoveryRequestRow)(nil)).Set("completed_at = ?", f.At).
			Where("id = ? AND user_id = ? AND cancelled_at IS NULL AND completed_at IS NULL AND ready_at <= ? AND expires_at > ?",
				f.RequestID, f.UserID, f.At, f.At).Exec(ctx)
		if err != nil {
			return fmt.Errorf("db: complete recovery: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return auth.ErrNotFound
		}
		if _, err := tx.NewDelete().Model((*identityRow)(nil)).
			Where("user_id = ? AND kind = ?", f.UserID, string(auth.IdentityEmail)).Exec(ctx); err != nil {
			return fmt.Errorf("db: recovery email: %w", err)
		}
		id, err := uuid.NewV7()
		if err != nil {
			return err
		}
		ident := identityRow{ID: id, AppID: f.AppID, UserID: f.UserID, Kind: string(auth.IdentityEmail), Value: f.Email, CreatedAt: f.At}
		if _, err := tx.NewInsert().Model(&ident).Exec(ctx); err != nil {
			if isUniqueViolation(err, "identities_app_kind_value_key") {
				return auth.ErrIdentityTaken
			}
			return fmt.Errorf("db: recovery email: %w", err)
		}
		if _, err := tx.NewInsert().Model(&passwordRow{UserID: f.UserID, Hash: f.PasswordHash, CreatedAt: f.At, UpdatedAt: f.At}).
			On("CONFLICT (user_id) DO UPDATE").Set("hash = EXCLUDED.hash").Set("updated_at = EXCLUDED.updated_at").
			Exec(ctx); err != nil {
			return fmt.Errorf("db: recovery password: %w", err)
		}
		if _, err := tx.NewDelete().Model((*sessionRow)(nil)).Where("user_id = ?", f.UserID).Exec(ctx); err != nil {
			return fmt.Errorf("db: recovery sessions: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "UPDATE token_families SET revoked_at = ?, revoke_reason = 'recovery' WHERE user_id = ? AND revoked_at IS NULL",
			f.At, f.UserID); err != nil {
			return fmt.Errorf("db: recovery tokens: %w", err)
		}
		return s.enqueue(ctx, tx, f.Notices)
	})
}
