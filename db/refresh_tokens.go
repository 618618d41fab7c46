package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/latch-dev/latch/server/auth"
	"github.com/latch-dev/latch/server/useragent"
)

type tokenFamilyRow struct {
	bun.BaseModel `bun:"table:token_families,alias:f"`

	ID           uuid.UUID  `bun:"id,pk,type:uuid"`
	AppID        uuid.UUID  `bun:"app_id,type:uuid"`
	UserID       uuid.UUID  `bun:"user_id,type:uuid"`
	Kind         string     `bun:"kind"`
	SessionHash  []byte     `bun:"session_hash,nullzero"`
	CreatedAt    time.Time  `bun:"created_at"`
	ExpiresAt    time.Time  `bun:"expires_at"`
	RevokedAt    *time.Time `bun:"revoked_at"`
	RevokeReason string     `bun:"revoke_reason"`
	PublicID     string     `bun:"public_id"`
	UserAgent    string     `bun:"user_agent"`
	IP           string     `bun:"ip"`
	Browser      string     `bun:"browser"`
	OS           string     `bun:"os"`
	LastUsedAt   *time.Time `bun:"last_used_at"`
}

type refreshTokenRow struct {
	bun.BaseModel `bun:"table:refresh_tokens"`

	ID           uuid.UUID  `bun:"id,pk,type:uuid"`
	FamilyID     uuid.UUID  `bun:"family_id,type:uuid"`
	AppID        uuid.UUID  `bun:"app_id,type:uuid"`
	UserID       uuid.UUID  `bun:"user_id,type:uuid"`
	TokenHash    []byte     `bun:"token_hash"`
	ParentID     *uuid.UUID `bun:"parent_id,type:uuid"`
	CreatedAt    time.Time  `bun:"created_at"`
	ExpiresAt    time.Time  `bun:"expires_at"`
	RotatedAt    *time.Time `bun:"rotated_at"`
	RevokedAt    *time.Time `bun:"revoked_at"`
	ReplaySealed []byte     `bun:"replay_sealed,nullzero"`
}

// RefreshTokens implements auth.RefreshStore on PostgreSQL: token families
// and refresh tokens, stored as SHA-256 hashes only.
type RefreshTokens struct{ db bun.IDB }

// NewRefreshTokens returns a refresh-token store over db.
func NewRefreshTokens(db bun.IDB) *RefreshTokens { return &RefreshTokens{db: db} }

var (
	_ auth.RefreshStore   = (*RefreshTokens)(nil)
	_ auth.APIClientStore = (*RefreshTokens)(nil)
)

// CreateFamily writes a refresh family and its first token in one
// statement (every password login makes one). The family keeps its
// client's user agent and address, with the browser and OS named from the
// user agent, for the device list; a family without a public id gets one
// from the column default.
func (s *RefreshTokens) CreateFamily(ctx context.Context, f auth.TokenFamily, first auth.RefreshToken) error {
	fam, tok, args := createFamilySQL(f, first)
	if _, err := bound(s.db).ExecContext(ctx, `WITH `+fam+` `+tok, args...); err != nil {
		return fmt.Errorf("db: create token family: %w", err)
	}
	return nil
}

// CreateFamilyRoles is CreateFamily that also returns the user's roles,
// sorted (as Roles.UserRoles lists them), and records issued in the audit
// log, all in one statement: a login that puts roles in its access token
// makes one round trip for the three, and the family is never written
// without its audit row. The row's time is the family's creation.
func (s *RefreshTokens) CreateFamilyRoles(ctx context.Context, f auth.TokenFamily, first auth.RefreshToken, issued auth.Event) ([]string, error) {
	fam, tok, args := createFamilySQL(f, first)
	audit, err := auditArgs(ctx, issued, f.CreatedAt.UTC())
	if err != nil {
		return nil, err
	}
	values := auditValues(len(args) + 1)
	args = append(args, audit...)
	// A data-modifying CTE runs to its end whether or not it is read.
	rows, err := bound(s.db).QueryContext(ctx, `WITH `+fam+`, tok AS (`+tok+` RETURNING 1),
		audit AS (INSERT INTO audit_events (`+auditColumns+`) SELECT `+values+` FROM tok)
		SELECT r.role FROM user_roles AS r WHERE r.user_id = $15 AND EXISTS (SELECT 1 FROM tok)
		ORDER BY r.role`, args...)
	if err != nil {
		return nil, fmt.Errorf("db: create token family: %w", err)
	}
	defer rows.Close()
	var held []string
	for rows.Next() {
		var role string
		if err := rows.Scan(&role); err != nil {
			return nil, fmt.Errorf("db: create token family: %w", err)
		}
		held = append(held, role)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: create token family: %w", err)
	}
	return held, nil
}

var _ auth.FamilyRoles = (*RefreshTokens)(nil)

// createFamilySQL is CreateFamily's statement in two parts: the CTE "fam"
// that inserts the family, and the insert of its first token; $15 is the
// user.
func createFamilySQL(f auth.TokenFamily, first auth.RefreshToken) (fam, tok string, args []any) {
	r, t := familyRow(f, nil), tokenRow(first)
	publicID, publicCol := "", ""
	args = []any{r.ID, r.AppID, r.UserID, r.Kind, r.SessionHash, r.CreatedAt, r.ExpiresAt, r.RevokedAt,
		r.UserAgent, r.IP, r.Browser, r.OS,
		t.ID, t.AppID, t.UserID, t.TokenHash, t.CreatedAt, t.ExpiresAt}
	if r.PublicID != "" {
		publicCol, publicID = ", public_id", ", $19"
		args = append(args, r.PublicID)
	}
	fam = `fam AS (
			INSERT INTO token_families (id, app_id, user_id, kind, session_hash, created_at, expires_at, revoked_at,
				user_agent, ip, browser, os` + publicCol + `)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12` + publicID + `)
			RETURNING id
		)`
	tok = `INSERT INTO refresh_tokens (id, family_id, app_id, user_id, token_hash, created_at, expires_at)
		SELECT $13, fam.id, $14, $15, $16, $17, $18 FROM fam`
	return fam, tok, args
}

// Refresh reads the token with its family and user in one statement,
// lets decide look at them, and writes a rotation in one more: a single
// statement that, holding the family's row lock and then the token's (the
// order every write to a family keeps, which rules out deadlocks between
// them), marks the token rotated only if it still is neither rotated nor
// revoked and its family not revoked, and inserts the child only then. Two
// round trips, no transaction held open across them.
//
// A rotation that finds the token already rotated, or the family revoked,
// by a request that committed in between, writes nothing (the family's
// last use aside) and decide runs again on what that request committed:
// the loser of two concurrent refreshes gets the grace-window replay, as
// if it had waited for the winner's lock. A revocation decided (reuse, an
// inactive user) is written in its own transaction and committed even
// though the grant it answers fails; when another request revoked the
// family first, decide runs again and sees it revoked, so a revocation is
// decided (and audited) once.
func (s *RefreshTokens) Refresh(ctx context.Context, hash []byte, decide func(auth.RefreshState) (auth.RefreshDecision, error)) error {
	for attempt := 0; attempt < 5; attempt++ {
		st, err := s.refreshState(ctx, hash)
		if err != nil {
			return err
		}
		d, err := decide(st)
		if err != nil {
			return err
		}
		if rot := d.Rotate; rot != nil {
			done, err := s.rotate(ctx, st.Token, rot, d.At)
			if err != nil {
				return err
			}
			if !done {
				continue // rotated or revoked meanwhile: decide on what is there now
			}
		}
		if d.Revoke != "" {
			revoked, err := s.RevokeFamily(ctx, st.Token.AppID, st.Token.FamilyID, d.At, d.Revoke)
			if err != nil {
				return err
			}
			if !revoked {
				continue // another request revoked it first: decide on a revoked family
			}
		}
		return nil
	}
	return errors.New("db: refresh: the token kept changing under concurrent refreshes")
}

// refreshState reads the token stored under hash, its family, the status
// of its user and the user's roles (RefreshState.Roles).
func (s *RefreshTokens) refreshState(ctx context.Context, hash []byte) (auth.RefreshState, error) {
	var (
		st    auth.RefreshState
		t     = &st.Token
		f     = &st.Family
		us    string
		knd   string
		roles []byte
	)
	err := bound(s.db).QueryRowContext(ctx, `SELECT rt.id, rt.family_id, rt.app_id, rt.user_id, rt.token_hash, rt.parent_id,
			rt.created_at, rt.expires_at, rt.rotated_at,
			(SELECT c.replay_sealed FROM refresh_tokens AS c WHERE c.parent_id = rt.id),
			f.id, f.app_id, f.user_id, f.kind, f.created_at, f.expires_at, f.revoked_at, f.public_id, f.user_agent, f.ip,
			u.status,
			(SELECT json_agg(r.role ORDER BY r.role) FROM user_roles AS r WHERE r.user_id = rt.user_id)
		FROM refresh_tokens AS rt
		JOIN token_families AS f ON f.id = rt.family_id
		JOIN users AS u ON u.id = rt.user_id
		WHERE rt.token_hash = $1`, hash).Scan(
		&t.ID, &t.FamilyID, &t.AppID, &t.UserID, &t.Hash, &t.ParentID, &t.CreatedAt, &t.ExpiresAt, &t.RotatedAt, &t.ReplaySealed,
		&f.ID, &f.AppID, &f.UserID, &knd, &f.CreatedAt, &f.ExpiresAt, &f.RevokedAt, &f.PublicID, &f.UserAgent, &f.IP,
		&us, &roles)
	if errors.Is(err, sql.ErrNoRows) {
		return st, auth.ErrNotFound
	}
	if err != nil {
		return st, fmt.Errorf("db: read refresh token: %w", err)
	}
	if roles != nil {
		if err := json.Unmarshal(roles, &st.Roles); err != nil {
			return st, fmt.Errorf("db: read refresh token roles: %w", err)
		}
	}
	f.Kind = auth.FamilyKind(knd)
	st.UserStatus = auth.Status(us)
	return st, nil
}

// rotate applies a rotation of parent in one statement and reports whether
// it did: false when parent was rotated or revoked, or its family revoked,
// since it was read.
func (s *RefreshTokens) rotate(ctx context.Context, parent auth.RefreshToken, rot *auth.Rotation, at time.Time) (bool, error) {
	c := tokenRow(rot.Child)
	res, err := bound(s.db).ExecContext(ctx, `WITH fam AS (
			UPDATE token_families SET last_used_at = $1, ip = $2
			WHERE id = $3 AND revoked_at IS NULL
			RETURNING id
		), parent AS (
			UPDATE refresh_tokens SET rotated_at = $1
			WHERE id = $5 AND family_id = $3 AND rotated_at IS NULL AND revoked_at IS NULL AND EXISTS (SELECT 1 FROM fam)
			RETURNING id
		)
		INSERT INTO refresh_tokens (id, family_id, app_id, user_id, token_hash, parent_id, created_at, expires_at, replay_sealed)
		SELECT $6, $3, $7, $8, $9, parent.id, $10, $11, $4 FROM parent`,
		at.UTC(), truncate(rot.IP, 64), parent.FamilyID, rot.ReplaySealed, parent.ID,
		c.ID, c.AppID, c.UserID, c.TokenHash, c.CreatedAt, c.ExpiresAt)
	if err != nil {
		return false, fmt.Errorf("db: rotate refresh token: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("db: rotate refresh token: %w", err)
	}
	return n == 1, nil
}

// RevokeFamilyByToken revokes the family of the token stored under hash.
func (s *RefreshTokens) RevokeFamilyByToken(ctx context.Context, appID uuid.UUID, hash []byte, at time.Time, reason string) (auth.TokenFamily, bool, error) {
	var fam auth.TokenFamily
	var revoked bool
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var row tokenFamilyRow
		err := tx.NewSelect().Model(&row).
			Where("id = (SELECT family_id FROM refresh_tokens WHERE token_hash = ? AND app_id = ?)", hash, appID).
			For("NO KEY UPDATE").Scan(ctx)
		if errors.Is(err, sql.ErrNoRows) {
			return auth.ErrNotFound
		}
		if err != nil {
			return err
		}
		fam = row.toDomain()
		revoked, err = revokeFamily(ctx, tx, appID, row.ID, at, reason)
		return err
	})
	if errors.Is(err, auth.ErrNotFound) {
		return auth.TokenFamily{}, false, err
	}
	if err != nil {
		return auth.TokenFamily{}, false, fmt.Errorf("db: revoke token family: %w", err)
	}
	return fam, revoked, nil
}

// RevokeFamily revokes a family of the app.
func (s *RefreshTokens) RevokeFamily(ctx context.Context, appID, familyID uuid.UUID, at time.Time, reason string) (bool, error) {
	var revoked bool
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var err error
		revoked, err = revokeFamily(ctx, tx, appID, familyID, at, reason)
		return err
	})
	return revoked, err
}

// revokeFamily marks the family and its tokens revoked and wipes any
// sealed replay, reporting whether the family was live until now.
func revokeFamily(ctx context.Context, tx bun.Tx, appID, familyID uuid.UUID, at time.Time, reason string) (bool, error) {
	res, err := tx.NewUpdate().Model((*tokenFamilyRow)(nil)).
		Set("revoked_at = ?", at.UTC()).Set("revoke_reason = ?", reason).
		Where("id = ? AND app_id = ? AND revoked_at IS NULL", familyID, appID).Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("db: revoke token family: %w", err)
	}
	if _, err := tx.NewUpdate().Model((*refreshTokenRow)(nil)).
		Set("revoked_at = coalesce(revoked_at, ?)", at.UTC()).Set("replay_sealed = NULL").
		Where("family_id = ? AND (revoked_at IS NULL OR replay_sealed IS NOT NULL)", familyID).Exec(ctx); err != nil {
		return false, fmt.Errorf("db: revoke refresh tokens: %w", err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// FamilyLive is a few primary-key lookups (the family, its user and, for a
// session family, the session), made for every API request.
func (s *RefreshTokens) FamilyLive(ctx context.Context, appID, userID, familyID uuid.UUID, now time.Time) (bool, error) {
	now = now.UTC()
	var live bool
	err := bound(s.db).QueryRowContext(ctx, `SELECT EXISTS (
			SELECT 1 FROM token_families AS f
			WHERE f.id = $1 AND f.app_id = $2 AND f.user_id = $3
			  AND f.revoked_at IS NULL AND f.expires_at > $4
			  AND EXISTS (SELECT 1 FROM users AS u WHERE u.id = f.user_id AND u.status = 'active')
			  AND (f.kind = 'refresh' OR EXISTS (
			      SELECT 1 FROM sessions AS s
			      WHERE s.token_hash = f.session_hash AND s.user_id = f.user_id AND s.expiry > $4)))`,
		familyID, appID, userID, now).Scan(&live)
	if err != nil {
		return false, fmt.Errorf("db: token family live: %w", err)
	}
	return live, nil
}

// SessionFamily upserts the family of a browser session, keyed by the same
// hash of the session token that keys the sessions table.
func (s *RefreshTokens) SessionFamily(ctx context.Context, f auth.TokenFamily, sessionToken string) (auth.TokenFamily, error) {
	row := familyRow(f, hashToken(sessionToken))
	q := s.db.NewInsert().Model(row)
	if f.PublicID == "" {
		q = q.ExcludeColumn("public_id")
	}
	err := q.
		On("CONFLICT (session_hash) DO UPDATE").
		Set("expires_at = greatest(f.expires_at, EXCLUDED.expires_at)").
		Returning("*").Scan(ctx)
	if err != nil {
		return auth.TokenFamily{}, fmt.Errorf("db: session token family: %w", err)
	}
	return row.toDomain(), nil
}

// Cleanup wipes sealed replays older than grace and deletes families (and
// with them their refresh tokens) that expired before now. It returns how
// many families it deleted.
func (s *RefreshTokens) Cleanup(ctx context.Context, now time.Time, grace time.Duration) (int64, error) {
	now = now.UTC()
	if _, err := s.db.NewUpdate().Model((*refreshTokenRow)(nil)).Set("replay_sealed = NULL").
		Where("replay_sealed IS NOT NULL AND created_at < ?", now.Add(-grace)).Exec(ctx); err != nil {
		return 0, fmt.Errorf("db: wipe token replays: %w", err)
	}
	res, err := s.db.NewDelete().Model((*tokenFamilyRow)(nil)).Where("expires_at <= ?", now).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("db: delete expired token families: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// RunCleanup runs Cleanup every interval until ctx ends.
func (s *RefreshTokens) RunCleanup(ctx context.Context, interval, grace time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := s.Cleanup(ctx, time.Now(), grace); err != nil && ctx.Err() == nil {
				log.WarnContext(ctx, "token cleanup failed", "err", err)
			} else if n > 0 {
				log.DebugContext(ctx, "expired token families removed", "count", n)
			}
		}
	}
}

func familyRow(f auth.TokenFamily, sessionHash []byte) *tokenFamilyRow {
	ua := truncate(f.UserAgent, 512)
	agent := useragent.Parse(ua)
	return &tokenFamilyRow{
		ID: f.ID, AppID: f.AppID, UserID: f.UserID, Kind: string(f.Kind), SessionHash: sessionHash,
		CreatedAt: f.CreatedAt.UTC(), ExpiresAt: f.ExpiresAt.UTC(), RevokedAt: f.RevokedAt,
		PublicID: f.PublicID, UserAgent: ua, IP: truncate(f.IP, 64), Browser: agent.Browser, OS: agent.OS,
	}
}

func (r tokenFamilyRow) toDomain() auth.TokenFamily {
	return auth.TokenFamily{
		ID: r.ID, AppID: r.AppID, UserID: r.UserID, Kind: auth.FamilyKind(r.Kind),
		CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt, RevokedAt: r.RevokedAt,
		PublicID: r.PublicID, UserAgent: r.UserAgent, IP: r.IP,
	}
}

func (r tokenFamilyRow) apiClient() auth.APIClient {
	return auth.APIClient{
		ID: r.ID, PublicID: r.PublicID, UserAgent: r.UserAgent, Browser: r.Browser, OS: r.OS, IP: r.IP,
		CreatedAt: r.CreatedAt, LastRefreshAt: r.LastUsedAt, ExpiresAt: r.ExpiresAt,
	}
}

// UserAPIClients lists the user's live refresh families, most recently
// used first.
func (s *RefreshTokens) UserAPIClients(ctx context.Context, appID, userID uuid.UUID, now time.Time) ([]auth.APIClient, error) {
	var rows []tokenFamilyRow
	err := s.db.NewSelect().Model(&rows).
		Where("f.app_id = ? AND f.user_id = ? AND f.kind = 'refresh'", appID, userID).
		Where("f.revoked_at IS NULL AND f.expires_at > ?", now.UTC()).
		OrderExpr("coalesce(f.last_used_at, f.created_at) DESC, f.id DESC").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("db: API clients of user: %w", err)
	}
	out := make([]auth.APIClient, len(rows))
	for i, r := range rows {
		out[i] = r.apiClient()
	}
	return out, nil
}

// RevokeUserAPIClient locks the user's live refresh family with the public
// id (family first, as every write to a family does) and revokes it with
// its tokens.
func (s *RefreshTokens) RevokeUserAPIClient(ctx context.Context, appID, userID uuid.UUID, publicID string, at time.Time, reason string) (auth.APIClient, error) {
	var row tokenFamilyRow
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		err := tx.NewSelect().Model(&row).
			Where("f.app_id = ? AND f.user_id = ? AND f.public_id = ? AND f.kind = 'refresh'", appID, userID, publicID).
			Where("f.revoked_at IS NULL AND f.expires_at > ?", at.UTC()).
			For("NO KEY UPDATE").Scan(ctx)
		if errors.Is(err, sql.ErrNoRows) {
			return auth.ErrNotFound
		}
		if err != nil {
			return err
		}
		_, err = revokeFamily(ctx, tx, appID, row.ID, at, reason)
		return err
	})
	if errors.Is(err, auth.ErrNotFound) {
		return auth.APIClient{}, err
	}
	if err != nil {
		return auth.APIClient{}, fmt.Errorf("db: revoke API client: %w", err)
	}
	return row.apiClient(), nil
}

// RevokeUserAPIClients revokes every live refresh family of the user, and
// their tokens, in one transaction.
func (s *RefreshTokens) RevokeUserAPIClients(ctx context.Context, appID, userID uuid.UUID, at time.Time, reason string) (int, error) {
	at = at.UTC()
	var n int
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var err error
		n, err = revokeFamiliesTx(ctx, tx, appID, userID, at, reason, func(q *bun.UpdateQuery) *bun.UpdateQuery {
			return q.Where("kind = 'refresh' AND expires_at > ?", at)
		})
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("db: revoke API clients: %w", err)
	}
	return n, nil
}

func tokenRow(t auth.RefreshToken) *refreshTokenRow {
	return &refreshTokenRow{
		ID: t.ID, FamilyID: t.FamilyID, AppID: t.AppID, UserID: t.UserID, TokenHash: t.Hash, ParentID: t.ParentID,
		CreatedAt: t.CreatedAt.UTC(), ExpiresAt: t.ExpiresAt.UTC(), RotatedAt: t.RotatedAt, ReplaySealed: t.ReplaySealed,
	}
}

// revokeFamiliesTx revokes, inside tx, the live token families of the user
// that where narrows further (nil: all of them), and their refresh tokens,
// and returns how many families it revoked.
func revokeFamiliesTx(ctx context.Context, tx bun.Tx, appID, userID uuid.UUID, at time.Time, reason string, where func(*bun.UpdateQuery) *bun.UpdateQuery) (int, error) {
	q := tx.NewUpdate().Model((*tokenFamilyRow)(nil)).
		Set("revoked_at = ?", at).Set("revoke_reason = ?", reason).
		Where("app_id = ? AND user_id = ? AND revoked_at IS NULL", appID, userID)
	if where != nil {
		q = where(q)
	}
	var families []uuid.UUID
	if err := q.Returning("id").Scan(ctx, &families); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, err
	}
	if len(families) == 0 {
		return 0, nil
	}
	_, err := tx.NewUpdate().Model((*refreshTokenRow)(nil)).
		Set("revoked_at = coalesce(revoked_at, ?)", at).Set("replay_sealed = NULL").
		Where("family_id IN (?)", bun.In(families)).Exec(ctx)
	return len(families), err
}
