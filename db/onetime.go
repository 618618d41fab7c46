package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/latch-dev/latch/server/otp"
)

type oneTimeRow struct {
	bun.BaseModel `bun:"table:one_time_tokens,alias:o"`

	ID           uuid.UUID  `bun:"id,pk,type:uuid"`
	AppID        uuid.UUID  `bun:"app_id,type:uuid"`
	UserID       *uuid.UUID `bun:"user_id,type:uuid"`
	Purpose      string     `bun:"purpose"`
	Channel      string     `bun:"channel"`
	Identity     string     `bun:"identity"`
	CodeHash     []byte     `bun:"code_hash,nullzero"`
	Selector     *string    `bun:"selector"`
	VerifierHash []byte     `bun:"verifier_hash,nullzero"`
	CreatedAt    time.Time  `bun:"created_at"`
	ExpiresAt    time.Time  `bun:"expires_at"`
	CodeExpires  *time.Time `bun:"code_expires_at"`
	Attempts     int        `bun:"attempts"`
	MaxAttempts  int        `bun:"max_attempts"`
	ConsumedAt   *time.Time `bun:"consumed_at"`
	VoidedAt     *time.Time `bun:"voided_at"`
}

// SendLimits bounds how often codes and links are sent to one identity: at
// most one per Cooldown for each purpose, and, when PerWindow is not zero,
// at most PerWindow in any Window whatever their purpose. Window is also
// how long spent rows are kept. Budgets per client, destination and
// country are the guard's (server/guard).
type SendLimits struct {
	Cooldown  time.Duration
	PerWindow int
	Window    time.Duration
}

// DefaultSendLimits allows one code a minute per identity and purpose. The
// hourly budgets are the guard's, which counts the owner's own devices
// apart from strangers, so a stranger's requests cannot use up the
// owner's.
var DefaultSendLimits = SendLimits{Cooldown: time.Minute, Window: time.Hour}

// OneTime stores one-time codes and magic links (table one_time_tokens).
// It keeps only hashes: callers hash codes with otp.Hasher and links with
// otp.NewLink / otp.ParseLink, and the store compares hashes in constant
// time. All times come from its clock.
type OneTime struct {
	db     bun.IDB
	limits SendLimits
	clock  func() time.Time
}

// NewOneTime returns a one-time token store over db; a zero limits means
// DefaultSendLimits, a nil clock time.Now.
func NewOneTime(db bun.IDB, limits SendLimits, clock func() time.Time) *OneTime {
	if limits == (SendLimits{}) {
		limits = DefaultSendLimits
	}
	if clock == nil {
		clock = time.Now
	}
	return &OneTime{db: db, limits: limits, clock: clock}
}

// now is the clock in UTC at the database's precision, so a time written
// and read back compares equal.
func (s *OneTime) now() time.Time { return s.clock().UTC().Truncate(time.Microsecond) }

// Create stores a new code or link and returns its id. In the same
// transaction it checks the send limits for the identity, then voids any
// outstanding code or link of the same app, purpose and identity, so only
// the newest one works. Creates for one identity are serialised by an
// advisory lock, so concurrent requests cannot both pass the limits.
//
// It returns a *otp.SendLimitError (errors.Is otp.ErrSendLimited) with the
// wait when the identity was sent a code less than Cooldown ago or has
// had PerWindow in the last Window, and an error for an invalid Issue.
// Callers should create a row whether or not an account holds the
// identity (UserID nil), so limits and answers are the same for both.
//
// Each also function runs in the same transaction after the insert (to
// queue the message carrying the code, say): if one fails, nothing is kept.
func (s *OneTime) Create(ctx context.Context, in otp.Issue, also ...func(context.Context, bun.Tx) error) (uuid.UUID, error) {
	if err := checkIssue(in); err != nil {
		return uuid.Nil, err
	}
	id, err := uuid.NewV7()
	if err != nil {
		return uuid.Nil, err
	}
	now := s.now()
	maxAttempts := in.MaxAttempts
	if maxAttempts == 0 {
		maxAttempts = otp.DefaultMaxAttempts
	}
	row := &oneTimeRow{
		ID: id, AppID: in.AppID, UserID: in.UserID, Purpose: string(in.Purpose), Channel: string(in.Channel),
		Identity: in.Identity, CodeHash: in.CodeHash, VerifierHash: in.VerifierHash,
		CreatedAt: now, ExpiresAt: now.Add(in.TTL), MaxAttempts: maxAttempts,
	}
	if in.Selector != "" {
		row.Selector = &in.Selector
	}
	if in.CodeTTL > 0 && in.CodeTTL < in.TTL {
		codeExpires := now.Add(in.CodeTTL)
		row.CodeExpires = &codeExpires
	}
	err = s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(hashtextextended(?, 0))",
			"one_time_tokens:"+in.AppID.String()+":"+in.Identity); err != nil {
			return err
		}
		if err := s.checkLimits(ctx, tx, in.AppID, in.Purpose, in.Identity, now); err != nil {
			return err
		}
		if _, err := tx.NewUpdate().Model((*oneTimeRow)(nil)).
			Set("voided_at = ?", now).
			Where("app_id = ? AND purpose = ? AND identity = ?", in.AppID, string(in.Purpose), in.Identity).
			Where("consumed_at IS NULL AND voided_at IS NULL").
			Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.NewInsert().Model(row).Exec(ctx); err != nil {
			return err
		}
		for _, f := range also {
			if err := f(ctx, tx); err != nil {
				return err
			}
		}
		return nil
	})
	var limited *otp.SendLimitError
	if errors.As(err, &limited) {
		return uuid.Nil, err
	}
	if err != nil {
		return uuid.Nil, fmt.Errorf("db: create one-time token: %w", err)
	}
	return id, nil
}

func checkIssue(in otp.Issue) error {
	switch {
	case !in.Purpose.Valid():
		return fmt.Errorf("db: create one-time token: unknown purpose %q", in.Purpose)
	case !in.Channel.Valid():
		return fmt.Errorf("db: create one-time token: unknown channel %q", in.Channel)
	case in.Identity == "":
		return errors.New("db: create one-time token: no identity")
	case in.TTL <= 0:
		return errors.New("db: create one-time token: no lifetime")
	case in.CodeHash == nil && in.Selector == "":
		return errors.New("db: create one-time token: neither code nor link")
	case (in.Selector == "") != (in.VerifierHash == nil):
		return errors.New("db: create one-time token: a link needs a selector and a verifier hash")
	case in.CodeTTL < 0 || in.CodeTTL > in.TTL:
		return errors.New("db: create one-time token: the code outlives the row")
	case in.CodeTTL > 0 && in.CodeHash == nil:
		return errors.New("db: create one-time token: a code lifetime without a code")
	}
	return nil
}

// checkLimits returns a *otp.SendLimitError if the identity may not be
// sent another code for purpose at now: the cooldown is per purpose (a
// verification email just sent does not hold up a login code), the cap per
// window counts every purpose.
func (s *OneTime) checkLimits(ctx context.Context, tx bun.Tx, appID uuid.UUID, purpose otp.Purpose, identity string, now time.Time) error {
	var recent struct {
		N      int        `bun:"n"`
		Oldest *time.Time `bun:"oldest"`
		Newest *time.Time `bun:"newest"`
	}
	err := tx.NewSelect().Model((*oneTimeRow)(nil)).
		ColumnExpr("count(*) AS n, min(created_at) AS oldest, max(created_at) FILTER (WHERE purpose = ?) AS newest", string(purpose)).
		Where("app_id = ? AND identity = ? AND created_at > ?", appID, identity, now.Add(-s.limits.Window)).
		Scan(ctx, &recent)
	if err != nil {
		return err
	}
	var wait time.Duration
	if recent.Newest != nil {
		wait = recent.Newest.Add(s.limits.Cooldown).Sub(now)
	}
	if s.limits.PerWindow > 0 && recent.N >= s.limits.PerWindow && recent.Oldest != nil {
		wait = max(wait, recent.Oldest.Add(s.limits.Window).Sub(now))
	}
	if wait > 0 {
		return &otp.SendLimitError{Wait: wait}
	}
	return nil
}

// Verify checks a code for the app, purpose and identity against the
// newest code issued for them, and consumes it when it matches. codeHash is
// otp.Hasher.Code of the presented code. The row is locked (FOR UPDATE)
// while it is decided, so of concurrent Verifys of one code at most one
// succeeds, and every wrong code is counted.
//
// It returns the consumed record, or:
//   - otp.ErrInvalid: no code for them, or a wrong one (counted);
//   - otp.ErrExhausted: the wrong code that used the last attempt, or any
//     code after that: the row is void;
//   - otp.ErrExpired, otp.ErrUsed: the code had expired or was used. A
//     code issued with a shorter CodeTTL than its row expires at the end
//     of CodeTTL, even while the link in the same row still works.
func (s *OneTime) Verify(ctx context.Context, appID uuid.UUID, purpose otp.Purpose, identity string, codeHash []byte) (otp.Record, error) {
	return s.decide(ctx, true, s.findCode(appID, purpose, identity, codeHash))
}

// Check is Verify without the spending: a matching code is left usable and
// its record returned, so that it can be spent (SpendTx) in the same
// transaction as the change it authorises, once that change is known to be
// acceptable. A wrong code counts like one given to Verify. Errors: as
// Verify.
func (s *OneTime) Check(ctx context.Context, appID uuid.UUID, purpose otp.Purpose, identity string, codeHash []byte) (otp.Record, error) {
	return s.decide(ctx, false, s.findCode(appID, purpose, identity, codeHash))
}

// CheckLink is ConsumeLink without the spending, as Check is for codes.
func (s *OneTime) CheckLink(ctx context.Context, appID uuid.UUID, purpose otp.Purpose, selector string, verifierHash []byte) (otp.Record, error) {
	return s.decide(ctx, false, s.findLink(appID, purpose, selector, verifierHash))
}

// SpendTx consumes the row id inside tx if it is still usable: neither
// consumed, voided nor expired at now. It returns otp.ErrUsed when it is
// not (another request spent it first, or a newer one voided it).
func (s *OneTime) SpendTx(ctx context.Context, tx bun.Tx, id uuid.UUID) error {
	now := s.now()
	res, err := tx.NewUpdate().Model((*oneTimeRow)(nil)).Set("consumed_at = ?", now).
		Where("id = ? AND consumed_at IS NULL AND voided_at IS NULL AND expires_at > ?", id, now).
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("db: spend one-time token: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return otp.ErrUsed
	}
	return nil
}

// rowCheck is how decide finds a row and judges what was presented.
type rowCheck struct {
	find    func(*bun.SelectQuery) *bun.SelectQuery
	applies func(*oneTimeRow) bool
	expires func(*oneTimeRow) time.Time
	matches func(*oneTimeRow) bool
}

func (s *OneTime) findCode(appID uuid.UUID, purpose otp.Purpose, identity string, codeHash []byte) rowCheck {
	return rowCheck{find: func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("app_id = ? AND purpose = ? AND identity = ?", appID, string(purpose), identity).
			OrderExpr("created_at DESC, id DESC").Limit(1)
	}, applies: func(r *oneTimeRow) bool {
		return r.CodeHash != nil
	}, expires: func(r *oneTimeRow) time.Time {
		if r.CodeExpires != nil {
			return *r.CodeExpires
		}
		return r.ExpiresAt
	}, matches: func(r *oneTimeRow) bool {
		return otp.Equal(r.CodeHash, codeHash)
	}}
}

// ConsumeLink consumes the magic link with the selector, if it belongs to
// the app and purpose and verifierHash (from otp.ParseLink) matches. It
// returns the same errors as Verify; a link of another app or purpose is
// otp.ErrInvalid and is left untouched. A wrong verifier counts as a wrong
// attempt.
func (s *OneTime) ConsumeLink(ctx context.Context, appID uuid.UUID, purpose otp.Purpose, selector string, verifierHash []byte) (otp.Record, error) {
	return s.decide(ctx, true, s.findLink(appID, purpose, selector, verifierHash))
}

func (s *OneTime) findLink(appID uuid.UUID, purpose otp.Purpose, selector string, verifierHash []byte) rowCheck {
	return rowCheck{find: func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("selector = ?", selector)
	}, applies: func(r *oneTimeRow) bool {
		return r.AppID == appID && r.Purpose == string(purpose)
	}, expires: func(r *oneTimeRow) time.Time {
		return r.ExpiresAt
	}, matches: func(r *oneTimeRow) bool {
		return otp.Equal(r.VerifierHash, verifierHash)
	}}
}

// decide locks the row c finds, and (with consume) consumes it if it
// applies, matches and is still usable (before it expires), or counts a
// failed attempt.
func (s *OneTime) decide(ctx context.Context, consume bool, c rowCheck) (otp.Record, error) {
	find, applies, expires, matches := c.find, c.applies, c.expires, c.matches
	now := s.now()
	var (
		rec     otp.Record
		outcome error
	)
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var r oneTimeRow
		err := find(tx.NewSelect().Model(&r)).For("UPDATE").Scan(ctx)
		if errors.Is(err, sql.ErrNoRows) {
			outcome = otp.ErrInvalid
			return nil
		}
		if err != nil {
			return err
		}
		switch {
		case !applies(&r):
			outcome = otp.ErrInvalid
			return nil
		case r.ConsumedAt != nil:
			outcome = otp.ErrUsed
			return nil
		case r.VoidedAt != nil && r.Attempts >= r.MaxAttempts:
			outcome = otp.ErrExhausted
			return nil
		case r.VoidedAt != nil: // superseded by a newer one
			outcome = otp.ErrInvalid
			return nil
		case !now.Before(expires(&r)):
			outcome = otp.ErrExpired
			return nil
		}
		if !matches(&r) {
			r.Attempts++
			q := tx.NewUpdate().Model((*oneTimeRow)(nil)).Set("attempts = ?", r.Attempts).Where("id = ?", r.ID)
			outcome = otp.ErrInvalid
			if r.Attempts >= r.MaxAttempts {
				q = q.Set("voided_at = ?", now)
				outcome = otp.ErrExhausted
			}
			_, err := q.Exec(ctx)
			return err
		}
		if !consume {
			rec = r.toRecord()
			return nil
		}
		if _, err := tx.NewUpdate().Model((*oneTimeRow)(nil)).Set("consumed_at = ?", now).Where("id = ?", r.ID).Exec(ctx); err != nil {
			return err
		}
		r.ConsumedAt = &now
		rec = r.toRecord()
		return nil
	})
	if err != nil {
		return otp.Record{}, fmt.Errorf("db: check one-time token: %w", err)
	}
	if outcome != nil {
		return otp.Record{}, outcome
	}
	return rec, nil
}

// Prune deletes codes and links that expired longer ago than the send-limit
// window (they no longer count towards it) and returns how many.
func (s *OneTime) Prune(ctx context.Context) (int, error) {
	res, err := s.db.NewDelete().Model((*oneTimeRow)(nil)).
		Where("expires_at < ?", s.now().Add(-s.limits.Window)).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("db: prune one-time tokens: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

func (r oneTimeRow) toRecord() otp.Record {
	rec := otp.Record{
		ID: r.ID, AppID: r.AppID, UserID: r.UserID, Purpose: otp.Purpose(r.Purpose), Channel: otp.Channel(r.Channel),
		Identity: r.Identity, CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt,
	}
	if r.ConsumedAt != nil {
		rec.ConsumedAt = *r.ConsumedAt
	}
	return rec
}
