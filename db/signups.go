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

type pendingSignupRow struct {
	bun.BaseModel `bun:"table:pending_signups,alias:p"`

	ID           uuid.UUID `bun:"id,pk,type:uuid"`
	AppID        uuid.UUID `bun:"app_id,type:uuid"`
	Email        string    `bun:"email"`
	PasswordHash string    `bun:"password_hash"`
	Remember     bool      `bun:"remember"`
	Selector     string    `bun:"selector"`
	CreatedAt    time.Time `bun:"created_at"`
	ExpiresAt    time.Time `bun:"expires_at"`
}

func (r pendingSignupRow) toDomain() auth.PendingSignup {
	return auth.PendingSignup{ID: r.ID, AppID: r.AppID, Email: r.Email, PasswordHash: r.PasswordHash, Remember: r.Remember,
		Selector: r.Selector, CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt}
}

// Signups implements auth.SignupStore on PostgreSQL: pending signups
// (table pending_signups), each bound by its link selector to the row of
// one_time_tokens that was emailed for it, stored in the same transaction
// as that row and its queued message.
type Signups struct {
	db      bun.IDB
	onetime *OneTime
	queue   Enqueuer
	clock   func() time.Time
}

// NewSignups returns a pending signup store over db, storing codes in
// onetime and queueing messages on queue; a nil clock means time.Now.
func NewSignups(db bun.IDB, onetime *OneTime, queue Enqueuer, clock func() time.Time) *Signups {
	if clock == nil {
		clock = time.Now
	}
	return &Signups{db: db, onetime: onetime, queue: queue, clock: clock}
}

var _ auth.SignupStore = (*Signups)(nil)

func (s *Signups) now() time.Time { return s.clock().UTC().Truncate(time.Microsecond) }

// Issue stores the row in (OneTime.Create, with its send limits) and, in
// the same transaction, queues m and saves save or rebinds the pending
// signup rebind to the new row.
func (s *Signups) Issue(ctx context.Context, in otp.Issue, m *auth.Message, save *auth.PendingSignup, rebind uuid.UUID) error {
	var also []func(context.Context, bun.Tx) error
	if m != nil {
		msg := outboxMessage(*m)
		also = append(also, func(ctx context.Context, tx bun.Tx) error { return s.queue.Enqueue(ctx, tx, msg) })
	}
	if save != nil {
		row := pendingRow(*save)
		also = append(also, func(ctx context.Context, tx bun.Tx) error {
			_, err := tx.NewInsert().Model(row).Exec(ctx)
			return err
		})
	}
	if rebind != uuid.Nil {
		also = append(also, func(ctx context.Context, tx bun.Tx) error {
			_, err := tx.NewUpdate().Model((*pendingSignupRow)(nil)).
				Set("selector = ?", in.Selector).Set("expires_at = ?", s.now().Add(in.TTL)).
				Where("app_id = ? AND id = ? AND email = ?", in.AppID, rebind, in.Identity).Exec(ctx)
			return err
		})
	}
	_, err := s.onetime.Create(ctx, in, also...)
	return err
}

// Hold stores p alone: its selector belongs to no row, so nothing
// finishes it until Issue rebinds it to one.
func (s *Signups) Hold(ctx context.Context, p auth.PendingSignup) error {
	if _, err := s.db.NewInsert().Model(pendingRow(p)).Exec(ctx); err != nil {
		return fmt.Errorf("db: hold signup: %w", err)
	}
	return nil
}

func pendingRow(p auth.PendingSignup) *pendingSignupRow {
	return &pendingSignupRow{ID: p.ID, AppID: p.AppID, Email: p.Email, PasswordHash: p.PasswordHash, Remember: p.Remember,
		Selector: p.Selector, CreatedAt: p.CreatedAt.UTC(), ExpiresAt: p.ExpiresAt.UTC()}
}

// Pending returns the unexpired pending signup id, or auth.ErrNotFound.
func (s *Signups) Pending(ctx context.Context, appID, id uuid.UUID) (auth.PendingSignup, error) {
	return s.one(ctx, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("app_id = ? AND id = ?", appID, id)
	})
}

func (s *Signups) one(ctx context.Context, where func(*bun.SelectQuery) *bun.SelectQuery) (auth.PendingSignup, error) {
	var r pendingSignupRow
	err := where(s.db.NewSelect().Model(&r)).Where("expires_at > ?", s.now()).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return auth.PendingSignup{}, auth.ErrNotFound
	}
	if err != nil {
		return auth.PendingSignup{}, fmt.Errorf("db: pending signup: %w", err)
	}
	return r.toDomain(), nil
}

// Finish creates the account of the unexpired pending signup bound to the
// one-time row tokenID (and with id, unless uuid.Nil): the user, its email
// identity verified now, and, when keepPassword, the password chosen at
// signup (without, no password row), in one transaction that also
// deletes every pending signup of the address. The pending signup is
// locked while it is decided, so of two concurrent finishes one creates
// the account. It returns auth.ErrNotFound when no pending signup is
// bound, and auth.ErrIdentityTaken when an account holds the address
// (then only the pending signups are deleted).
func (s *Signups) Finish(ctx context.Context, appID, tokenID, id uuid.UUID, u auth.User, keepPassword bool) (auth.PendingSignup, error) {
	now := s.now()
	identityID, err := uuid.NewV7()
	if err != nil {
		return auth.PendingSignup{}, err
	}
	var p pendingSignupRow
	taken := false
	err = s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		q := tx.NewSelect().Model(&p).
			Where("p.app_id = ? AND p.expires_at > ?", appID, now).
			Where("p.selector = (SELECT o.selector FROM one_time_tokens AS o WHERE o.id = ? AND o.app_id = ?)", tokenID, appID)
		if id != uuid.Nil {
			q = q.Where("p.id = ?", id)
		}
		if err := q.For("UPDATE").Scan(ctx); err != nil {
			return err
		}
		if _, err := tx.NewDelete().Model((*pendingSignupRow)(nil)).Where("app_id = ? AND email = ?", appID, p.Email).Exec(ctx); err != nil {
			return err
		}
		exists, err := tx.NewSelect().Model((*identityRow)(nil)).
			Where("app_id = ? AND kind = ? AND value = ?", appID, string(auth.IdentityEmail), p.Email).Exists(ctx)
		if err != nil {
			return err
		}
		if exists {
			taken = true
			return nil // commit: the pending signups are gone
		}
		created := u.CreatedAt.UTC()
		if _, err := tx.NewInsert().Model(&userRow{
			ID: u.ID, AppID: appID, Status: string(u.Status), CreatedAt: created, UpdatedAt: created,
		}).Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.NewInsert().Model(&identityRow{
			ID: identityID, AppID: appID, UserID: u.ID, Kind: string(auth.IdentityEmail), Value: p.Email, VerifiedAt: &now, CreatedAt: created,
		}).Exec(ctx); err != nil {
			return err
		}
		if !keepPassword {
			return nil
		}
		_, err = tx.NewInsert().Model(&passwordRow{
			UserID: u.ID, Hash: p.PasswordHash, CreatedAt: created, UpdatedAt: created,
		}).Exec(ctx)
		return err
	})
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return auth.PendingSignup{}, auth.ErrNotFound
	case isUniqueViolation(err, "identities_app_kind_value_key"):
		// An account took the address between the check and the insert.
		_, _ = s.db.NewDelete().Model((*pendingSignupRow)(nil)).Where("app_id = ? AND email = ?", appID, p.Email).Exec(ctx)
		return auth.PendingSignup{}, auth.ErrIdentityTaken
	case err != nil:
		return auth.PendingSignup{}, fmt.Errorf("db: finish signup: %w", err)
	case taken:
		return auth.PendingSignup{}, auth.ErrIdentityTaken
	}
	return p.toDomain(), nil
}

// Prune deletes pending signups that expired and returns how many.
func (s *Signups) Prune(ctx context.Context) (int, error) {
	res, err := s.db.NewDelete().Model((*pendingSignupRow)(nil)).Where("expires_at <= ?", s.now()).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("db: prune pending signups: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}
