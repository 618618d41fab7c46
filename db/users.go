package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/uptrace/bun"

	"github.com/latch-dev/latch/server/auth"
)

type userRow struct {
	bun.BaseModel `bun:"table:users"`

	ID        uuid.UUID `bun:"id,pk,type:uuid"`
	AppID     uuid.UUID `bun:"app_id,type:uuid"`
	Status    string    `bun:"status"`
	CreatedAt time.Time `bun:"created_at"`
	UpdatedAt time.Time `bun:"updated_at"`
	// Set when the owner deleted the account (see db.Settings).
	DeletedAt  *time.Time `bun:"deleted_at"`
	PurgeAfter *time.Time `bun:"purge_after"`
	PurgedAt   *time.Time `bun:"purged_at"`
	// Set when the password was last reset (see db.Passwords).
	PasswordResetAt *time.Time `bun:"password_reset_at"`
}

type identityRow struct {
	bun.BaseModel `bun:"table:identities"`

	ID         uuid.UUID  `bun:"id,pk,type:uuid"`
	AppID      uuid.UUID  `bun:"app_id,type:uuid"`
	UserID     uuid.UUID  `bun:"user_id,type:uuid"`
	Kind       string     `bun:"kind"`
	Value      string     `bun:"value"`
	VerifiedAt *time.Time `bun:"verified_at"`
	CreatedAt  time.Time  `bun:"created_at"`
}

type passwordRow struct {
	bun.BaseModel `bun:"table:password_credentials"`

	UserID    uuid.UUID `bun:"user_id,pk,type:uuid"`
	Hash      string    `bun:"hash"`
	CreatedAt time.Time `bun:"created_at"`
	UpdatedAt time.Time `bun:"updated_at"`
}

// Users implements auth.UserStore on PostgreSQL.
type Users struct{ db bun.IDB }

// NewUsers returns a user store over db.
func NewUsers(db bun.IDB) *Users { return &Users{db: db} }

var _ auth.UserStore = (*Users)(nil)

// CreatePasswordUser writes the user, its email identity and its password
// in one short transaction (the hash is computed before it opens). It
// returns auth.ErrIdentityTaken when the email is already in use in the app.
func (s *Users) CreatePasswordUser(ctx context.Context, u auth.NewPasswordUser) error {
	now := u.User.CreatedAt
	identityID, err := uuid.NewV7()
	if err != nil {
		return err
	}
	err = s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(&userRow{
			ID: u.User.ID, AppID: u.User.AppID, Status: string(u.User.Status), CreatedAt: now, UpdatedAt: now,
		}).Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.NewInsert().Model(&identityRow{
			ID: identityID, AppID: u.User.AppID, UserID: u.User.ID, Kind: string(auth.IdentityEmail), Value: u.Email, CreatedAt: now,
		}).Exec(ctx); err != nil {
			return err
		}
		_, err := tx.NewInsert().Model(&passwordRow{
			UserID: u.User.ID, Hash: u.PasswordHash, CreatedAt: now, UpdatedAt: now,
		}).Exec(ctx)
		return err
	})
	if isUniqueViolation(err, "identities_app_kind_value_key") {
		return auth.ErrIdentityTaken
	}
	if err != nil {
		return fmt.Errorf("db: create user: %w", err)
	}
	return nil
}

// PasswordLogin finds the user holding an identity and their password hash
// in one query. It returns auth.ErrNotFound when either is missing.
func (s *Users) PasswordLogin(ctx context.Context, appID uuid.UUID, kind auth.IdentityKind, value string) (auth.User, string, error) {
	var row struct {
		userRow
		Hash string `bun:"hash"`
	}
	// Every password login starts here: one text, values bound.
	err := bound(s.db).QueryRowContext(ctx, `SELECT u.id, u.app_id, u.status, u.created_at, u.updated_at,
			u.deleted_at, u.purge_after, u.purged_at, p.hash
		FROM identities AS i
		JOIN users AS u ON u.id = i.user_id
		JOIN password_credentials AS p ON p.user_id = u.id
		WHERE i.app_id = $1 AND i.kind = $2 AND i.value = $3`, appID, string(kind), value).
		Scan(&row.ID, &row.AppID, &row.Status, &row.CreatedAt, &row.UpdatedAt,
			&row.DeletedAt, &row.PurgeAfter, &row.PurgedAt, &row.Hash)
	if errors.Is(err, sql.ErrNoRows) {
		return auth.User{}, "", auth.ErrNotFound
	}
	if err != nil {
		return auth.User{}, "", fmt.Errorf("db: password login: %w", err)
	}
	return row.userRow.toDomain(), row.Hash, nil
}

// UserByIdentity returns the user holding an identity of the app, or
// auth.ErrNotFound.
func (s *Users) UserByIdentity(ctx context.Context, appID uuid.UUID, kind auth.IdentityKind, value string) (auth.User, error) {
	var u userRow
	err := s.db.NewSelect().Model(&u).
		Where("id = (SELECT user_id FROM identities WHERE app_id = ? AND kind = ? AND value = ?)", appID, string(kind), value).
		Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return auth.User{}, auth.ErrNotFound
	}
	if err != nil {
		return auth.User{}, fmt.Errorf("db: user by identity: %w", err)
	}
	return u.toDomain(), nil
}

// SetPasswordHash replaces a user's password hash. It returns
// auth.ErrNotFound when the user has no password credential.
func (s *Users) SetPasswordHash(ctx context.Context, userID uuid.UUID, hash string) error {
	res, err := s.db.NewUpdate().Model((*passwordRow)(nil)).
		Set("hash = ?", hash).Set("updated_at = now()").
		Where("user_id = ?", userID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("db: set password hash: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return auth.ErrNotFound
	}
	return nil
}

// MarkVerified records that the user proved the identity of kind and
// value, keeping the first proof's time. It returns auth.ErrNotFound when
// the user of the app holds no such identity.
func (s *Users) MarkVerified(ctx context.Context, appID, userID uuid.UUID, kind auth.IdentityKind, value string) error {
	res, err := s.db.NewUpdate().Model((*identityRow)(nil)).
		Set("verified_at = coalesce(verified_at, now())").
		Where("app_id = ? AND user_id = ? AND kind = ? AND value = ?", appID, userID, string(kind), value).
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("db: mark identity verified: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return auth.ErrNotFound
	}
	return nil
}

// Account returns a user of the app with its identities, or auth.ErrNotFound.
func (s *Users) Account(ctx context.Context, appID, userID uuid.UUID) (auth.Account, error) {
	// One bound statement: the user, each identity as a row, and the
	// passkey count.
	acct, found, err := s.account(ctx, accountSQL+` ORDER BY i.kind, i.created_at`, userID, appID)
	if err == nil && !found {
		err = auth.ErrNotFound
	}
	return acct, err
}

// LiveAccount is Account, only while the token family is live as
// RefreshTokens.FamilyLive decides it (not revoked, not expired, its user
// active, a session family's session still there): every bearer request
// for the account makes both checks in one statement.
func (s *Users) LiveAccount(ctx context.Context, appID, userID, familyID uuid.UUID, now time.Time) (auth.Account, bool, error) {
	return s.account(ctx, accountSQL+`
		AND u.status = 'active'
		AND EXISTS (
			SELECT 1 FROM token_families AS f
			WHERE f.id = $3 AND f.app_id = u.app_id AND f.user_id = u.id
			  AND f.revoked_at IS NULL AND f.expires_at > $4
			  AND (f.kind = 'refresh' OR EXISTS (
			      SELECT 1 FROM sessions AS s
			      WHERE s.token_hash = f.session_hash AND s.user_id = f.user_id AND s.expiry > $4)))
		ORDER BY i.kind, i.created_at`, userID, appID, familyID, now.UTC())
}

var _ auth.LiveAccounts = (*Users)(nil)

// AccountOverview returns what the account page shows of a user of the
// app in one bound statement: the account as Account reads it, whether a
// confirmed second factor is on (totp_factors, as TwoFactor.TOTP reads
// it), and the request still open in recovery_requests (as
// Recoveries.Open reads it), or auth.ErrNotFound. Every signed-in view of
// the account page asks, so it is one round trip, not three.
func (s *Users) AccountOverview(ctx context.Context, appID, userID uuid.UUID) (auth.AccountOverview, error) {
	rows, err := bound(s.db).QueryContext(ctx, accountOverviewSQL, userID, appID)
	if err != nil {
		return auth.AccountOverview{}, fmt.Errorf("db: account overview: %w", err)
	}
	defer rows.Close()
	var ov auth.AccountOverview
	found := false
	for rows.Next() {
		var (
			u         userRow
			passkeys  int
			kind      sql.NullString
			value     sql.NullString
			verified  *time.Time
			twoFactor sql.NullBool
			rid       *uuid.UUID
			method    sql.NullString
			rc, rr    *time.Time
			re        *time.Time
		)
		if err := rows.Scan(&u.ID, &u.AppID, &u.Status, &u.CreatedAt, &u.PurgeAfter, &u.PasswordResetAt, &passkeys,
			&kind, &value, &verified, &twoFactor, &rid, &method, &rc, &rr, &re); err != nil {
			return auth.AccountOverview{}, fmt.Errorf("db: account overview: %w", err)
		}
		if !found {
			ov = auth.AccountOverview{
				Account:     auth.Account{User: u.toDomain(), Passkeys: passkeys, Identities: []auth.Identity{}},
				TwoFactorOn: twoFactor.Valid && twoFactor.Bool,
			}
			if rid != nil && rc != nil && rr != nil && re != nil {
				ov.Recovery = &auth.RecoveryRequest{ID: *rid, AppID: u.AppID, UserID: u.ID, Method: method.String,
					CreatedAt: *rc, ReadyAt: *rr, ExpiresAt: *re}
			}
			found = true
		}
		if kind.Valid {
			ov.Identities = append(ov.Identities, auth.Identity{Kind: auth.IdentityKind(kind.String), Value: value.String, VerifiedAt: verified})
		}
	}
	if err := rows.Err(); err != nil {
		return auth.AccountOverview{}, fmt.Errorf("db: account overview: %w", err)
	}
	if !found {
		return auth.AccountOverview{}, auth.ErrNotFound
	}
	return ov, nil
}

// accountOverviewSQL is accountSQL with the second factor's state and the
// open recovery request on every row; $1 is the user, $2 the app.
const accountOverviewSQL = `SELECT u.id, u.app_id, u.status, u.created_at, u.purge_after, u.password_reset_at,
		(SELECT count(*) FROM passkeys AS p WHERE p.user_id = u.id),
		i.kind, i.value, i.verified_at,
		(SELECT t.confirmed_at IS NOT NULL FROM totp_factors AS t WHERE t.user_id = u.id AND t.app_id = u.app_id),
		r.id, r.method, r.created_at, r.ready_at, r.expires_at
	FROM users AS u
	LEFT JOIN identities AS i ON i.user_id = u.id
	LEFT JOIN LATERAL (
		SELECT q.id, q.method, q.created_at, q.ready_at, q.expires_at FROM recovery_requests AS q
		WHERE q.app_id = u.app_id AND q.user_id = u.id AND q.cancelled_at IS NULL AND q.completed_at IS NULL
		LIMIT 1) AS r ON true
	WHERE u.id = $1 AND u.app_id = $2
	ORDER BY i.kind, i.created_at`

// accountSQL reads an account as rows of one identity each; $1 is the
// user, $2 the app.
const accountSQL = `SELECT u.id, u.app_id, u.status, u.created_at, u.purge_after, u.password_reset_at,
		(SELECT count(*) FROM passkeys AS p WHERE p.user_id = u.id),
		i.kind, i.value, i.verified_at
	FROM users AS u
	LEFT JOIN identities AS i ON i.user_id = u.id
	WHERE u.id = $1 AND u.app_id = $2`

func (s *Users) account(ctx context.Context, query string, args ...any) (auth.Account, bool, error) {
	rows, err := bound(s.db).QueryContext(ctx, query, args...)
	if err != nil {
		return auth.Account{}, false, fmt.Errorf("db: account: %w", err)
	}
	defer rows.Close()
	var acct auth.Account
	found := false
	for rows.Next() {
		var (
			u        userRow
			passkeys int
			kind     sql.NullString
			value    sql.NullString
			verified *time.Time
		)
		if err := rows.Scan(&u.ID, &u.AppID, &u.Status, &u.CreatedAt, &u.PurgeAfter, &u.PasswordResetAt, &passkeys,
			&kind, &value, &verified); err != nil {
			return auth.Account{}, false, fmt.Errorf("db: account: %w", err)
		}
		if !found {
			acct = auth.Account{User: u.toDomain(), Passkeys: passkeys, Identities: []auth.Identity{}}
			found = true
		}
		if kind.Valid {
			acct.Identities = append(acct.Identities, auth.Identity{Kind: auth.IdentityKind(kind.String), Value: value.String, VerifiedAt: verified})
		}
	}
	if err := rows.Err(); err != nil {
		return auth.Account{}, false, fmt.Errorf("db: account: %w", err)
	}
	return acct, found, nil
}

// SetStatus changes a user's status and, unless the new status is active,
// deletes every session of the user in the same transaction, so a
// suspended or deleted user has no session left the moment it commits. It
// returns how many sessions it deleted, or auth.ErrNotFound when the app
// has no such user.
func (s *Users) SetStatus(ctx context.Context, appID, userID uuid.UUID, status auth.Status) (int, error) {
	var ended int64
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model((*userRow)(nil)).
			Set("status = ?", string(status)).Set("updated_at = now()").
			Where("id = ? AND app_id = ?", userID, appID).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return auth.ErrNotFound
		}
		if status == auth.StatusActive {
			return nil
		}
		res, err = tx.NewDelete().Model((*sessionRow)(nil)).Where("user_id = ?", userID).Exec(ctx)
		if err != nil {
			return err
		}
		ended, _ = res.RowsAffected()
		return nil
	})
	if errors.Is(err, auth.ErrNotFound) {
		return 0, err
	}
	if err != nil {
		return 0, fmt.Errorf("db: set status: %w", err)
	}
	return int(ended), nil
}

// RestoreDeleted makes the user active again if, at now, it is deleted and
// still inside its grace period (purge_after), clearing the deletion. It
// reports whether it did.
func (s *Users) RestoreDeleted(ctx context.Context, appID, userID uuid.UUID, now time.Time) (bool, error) {
	res, err := s.db.NewUpdate().Model((*userRow)(nil)).
		Set("status = 'active'").Set("deleted_at = NULL").Set("purge_after = NULL").Set("updated_at = now()").
		Where("id = ? AND app_id = ? AND status = 'deleted' AND purged_at IS NULL AND purge_after > ?", userID, appID, now.UTC()).
		Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("db: restore user: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

func (r userRow) toDomain() auth.User {
	return auth.User{ID: r.ID, AppID: r.AppID, Status: auth.Status(r.Status), CreatedAt: r.CreatedAt, PurgeAfter: r.PurgeAfter,
		PasswordResetAt: r.PasswordResetAt}
}

// AppID returns the id of the app with the given slug.
func AppID(ctx context.Context, db bun.IDB, slug string) (uuid.UUID, error) {
	var id uuid.UUID
	err := db.NewSelect().TableExpr("apps").Column("id").Where("slug = ?", slug).Scan(ctx, &id)
	if errors.Is(err, sql.ErrNoRows) {
		return uuid.Nil, fmt.Errorf("db: no app with slug %q", slug)
	}
	if err != nil {
		return uuid.Nil, fmt.Errorf("db: app %q: %w", slug, err)
	}
	return id, nil
}

func isUniqueViolation(err error, constraint string) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505" && pgErr.ConstraintName == constraint
}

// passwordHash returns the stored password hash of a user of the app, or
// auth.ErrNotFound when the user has none (a passwordless account).
func passwordHash(ctx context.Context, idb bun.IDB, appID, userID uuid.UUID) (string, error) {
	var hash string
	err := idb.NewSelect().TableExpr("password_credentials AS p").Column("p.hash").
		Join("JOIN users AS u ON u.id = p.user_id").
		Where("p.user_id = ? AND u.app_id = ?", userID, appID).Scan(ctx, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return "", auth.ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("db: password hash: %w", err)
	}
	return hash, nil
}

// ClaimByProof marks the email identity value of userID verified, proven
// by someone who is not signed in to the account (a login code or link, a
// verification link opened elsewhere). When the identity was not verified
// before, whatever was set up on the account before its address was
// proven is undone in the same transaction: every session ends, every
// token family is revoked, the password, any second factor and any linked
// sign-in provider are removed, so an account
// created on someone else's address cannot outlive its owner's proof.
// It returns auth.ErrNotFound when the user holds no such identity.
func (s *Users) ClaimByProof(ctx context.Context, appID, userID uuid.UUID, value string) (auth.ProofClaim, error) {
	var out auth.ProofClaim
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var id identityRow
		err := tx.NewSelect().Model(&id).
			Where("app_id = ? AND user_id = ? AND kind = ? AND value = ?", appID, userID, string(auth.IdentityEmail), value).
			For("UPDATE").Scan(ctx)
		if errors.Is(err, sql.ErrNoRows) {
			return auth.ErrNotFound
		}
		if err != nil {
			return err
		}
		if id.VerifiedAt != nil {
			return nil // proven before: nothing to undo
		}
		out.First = true
		now := time.Now().UTC()
		if _, err := tx.NewUpdate().Model((*identityRow)(nil)).Set("verified_at = ?", now).
			Where("app_id = ? AND user_id = ? AND kind = ? AND value = ?", appID, userID, string(auth.IdentityEmail), value).
			Exec(ctx); err != nil {
			return err
		}
		res, err := tx.NewDelete().Model((*sessionRow)(nil)).Where("user_id = ?", userID).Exec(ctx)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		out.Sessions = int(n)
		if out.Families, err = revokeFamiliesTx(ctx, tx, appID, userID, now, "address_proven", nil); err != nil {
			return err
		}
		res, err = tx.NewDelete().TableExpr("password_credentials").Where("user_id = ?", userID).Exec(ctx)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		out.PasswordRemoved = n > 0
		// A second factor enrolled before the proof was not the owner's
		// either, nor a passkey (a way in on its own): they go, with the
		// user handle the passkeys' authenticators hold.
		for _, table := range []string{"recovery_codes", "totp_factors", "passkeys", "webauthn_handles"} {
			if _, err := tx.NewDelete().TableExpr(table).Where("user_id = ?", userID).Exec(ctx); err != nil {
				return err
			}
		}
		// Nor was a sign-in provider linked before it (its provider_links
		// row goes with the identity).
		res, err = tx.NewDelete().Model((*identityRow)(nil)).
			Where("user_id = ? AND kind = ?", userID, string(auth.IdentityProvider)).Exec(ctx)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		out.ProvidersUnlinked = int(n)
		return nil
	})
	if err != nil && !errors.Is(err, auth.ErrNotFound) {
		return auth.ProofClaim{}, fmt.Errorf("db: claim by proof: %w", err)
	}
	return out, err
}
