package db

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/google/uuid"
	"github.com/latch-dev/latch/server/session"
	"github.com/uptrace/bun"

	"github.com/latch-dev/latch/server/auth"
	"github.com/latch-dev/latch/server/useragent"
)

type sessionRow struct {
	bun.BaseModel `bun:"table:sessions"`

	TokenHash  []byte     `bun:"token_hash,pk"`
	Data       []byte     `bun:"data"`
	Expiry     time.Time  `bun:"expiry"`
	UserID     *uuid.UUID `bun:"user_id,type:uuid"`
	CreatedAt  time.Time  `bun:"created_at"`
	LastSeenAt time.Time  `bun:"last_seen_at"`
	IP         string     `bun:"ip"`
	UserAgent  string     `bun:"user_agent"`
	PublicID   string     `bun:"public_id"`
	Browser    string     `bun:"browser"`
	OS         string     `bun:"os"`
}

// Sessions is an scs.CtxStore on PostgreSQL. Rows are keyed by the SHA-256
// of the session token, so the table holds no usable cookie values. Each
// save also records, for the device list, the session's user and public id
// (read from the session data under SessionKeys), the client's IP, its user
// agent with the browser and OS named from it, and the time.
type Sessions struct {
	db    bun.IDB
	keys  SessionKeys
	clock func() time.Time
	codec scs.Codec
}

// SessionKeys name the entries of the session data that the store copies
// into columns.
type SessionKeys struct {
	User     string // the signed-in user's id, as a string
	PublicID string // the session's public id (see auth.Session)
}

// NewSessions returns a session store; clock nil means time.Now.
func NewSessions(db bun.IDB, keys SessionKeys, clock func() time.Time) *Sessions {
	if clock == nil {
		clock = time.Now
	}
	return &Sessions{db: db, keys: keys, clock: clock, codec: session.Codec{}}
}

var (
	_ scs.CtxStore      = (*Sessions)(nil)
	_ auth.SessionStore = (*Sessions)(nil)
)

func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// FindCtx returns the data of an unexpired session.
func (s *Sessions) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	var data []byte
	err := bound(s.db).QueryRowContext(ctx, `SELECT data FROM sessions WHERE token_hash = $1 AND expiry > $2`,
		hashToken(token), s.clock().UTC()).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("db: find session: %w", err)
	}
	return data, true, nil
}

// CommitCtx inserts or updates a session. A session data without a public
// id gets a random one from the database (and keeps it on later saves).
func (s *Sessions) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	row := s.row(ctx, token, b, expiry)
	// One text for every save (a login's, a changed session's), values
	// bound. Data without a public id gets one made as the column's
	// default makes it (migration 20261124000002), and a later save
	// without one keeps the stored one.
	_, err := bound(s.db).ExecContext(ctx, `INSERT INTO sessions AS s
		(token_hash, data, expiry, user_id, created_at, last_seen_at, ip, user_agent, browser, os, public_id)
		VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $8, $9, COALESCE(NULLIF($10, ''), translate(encode(uuid_send(gen_random_uuid()), 'base64'), '+/=', '-_')))
		ON CONFLICT (token_hash) DO UPDATE SET data = EXCLUDED.data, expiry = EXCLUDED.expiry,
			user_id = EXCLUDED.user_id, last_seen_at = EXCLUDED.last_seen_at, ip = EXCLUDED.ip,
			user_agent = EXCLUDED.user_agent, browser = EXCLUDED.browser, os = EXCLUDED.os,
			public_id = CASE WHEN $10 = '' THEN s.public_id ELSE EXCLUDED.public_id END`,
		row.TokenHash, row.Data, row.Expiry, row.UserID, row.CreatedAt, row.IP, row.UserAgent, row.Browser, row.OS, row.PublicID)
	if err != nil {
		return fmt.Errorf("db: commit session: %w", err)
	}
	return nil
}

// UpdateCtx saves an existing session and never creates one: it reports
// false, and writes nothing, when the session's row is gone. A request that
// was already running when its session was revoked therefore cannot bring
// the session back by saving it.
func (s *Sessions) UpdateCtx(ctx context.Context, token string, b []byte, expiry time.Time) (bool, error) {
	row := s.row(ctx, token, b, expiry)
	res, err := bound(s.db).ExecContext(ctx, `UPDATE sessions SET data = $2, expiry = $3, user_id = $4,
			last_seen_at = $5, ip = $6, user_agent = $7, browser = $8, os = $9,
			public_id = CASE WHEN $10 = '' THEN public_id ELSE $10 END
		WHERE token_hash = $1`,
		row.TokenHash, row.Data, row.Expiry, row.UserID, row.LastSeenAt, row.IP, row.UserAgent, row.Browser, row.OS, row.PublicID)
	if err != nil {
		return false, fmt.Errorf("db: update session: %w", err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// row is the stored form of a session saved now by the client in ctx.
func (s *Sessions) row(ctx context.Context, token string, b []byte, expiry time.Time) sessionRow {
	now := s.clock().UTC()
	c := auth.ClientFrom(ctx)
	ua := truncate(c.UserAgent, 512)
	agent := useragent.Parse(ua)
	userID, publicID := s.decode(b)
	return sessionRow{
		TokenHash: hashToken(token), Data: b, Expiry: expiry.UTC(),
		UserID: userID, CreatedAt: now, LastSeenAt: now,
		IP: c.IP, UserAgent: ua, PublicID: publicID, Browser: agent.Browser, OS: agent.OS,
	}
}

// decode reads the signed-in user and the public id from encoded session
// data. A session without a user (or one that cannot be decoded) is
// anonymous; a public id not in the stored format is ignored.
func (s *Sessions) decode(b []byte) (*uuid.UUID, string) {
	_, values, err := s.codec.Decode(b)
	if err != nil {
		return nil, ""
	}
	publicID, _ := values[s.keys.PublicID].(string)
	if !publicIDFormat(publicID) {
		publicID = ""
	}
	str, _ := values[s.keys.User].(string)
	id, err := uuid.Parse(str)
	if err != nil {
		return nil, publicID
	}
	return &id, publicID
}

// publicIDFormat reports whether id fits the column's check: 22 characters
// of unpadded base64url, as 16 random bytes encode.
func publicIDFormat(id string) bool {
	if len(id) != 22 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// DeleteCtx removes a session; removing a missing one is not an error.
func (s *Sessions) DeleteCtx(ctx context.Context, token string) error {
	if _, err := s.db.NewDelete().Model((*sessionRow)(nil)).Where("token_hash = ?", hashToken(token)).Exec(ctx); err != nil {
		return fmt.Errorf("db: delete session: %w", err)
	}
	return nil
}

// Find, Commit and Delete satisfy scs.Store; scs calls the Ctx variants.
func (s *Sessions) Find(token string) ([]byte, bool, error) {
	return s.FindCtx(context.Background(), token)
}

// Commit satisfies scs.Store.
func (s *Sessions) Commit(token string, b []byte, expiry time.Time) error {
	return s.CommitCtx(context.Background(), token, b, expiry)
}

// Delete satisfies scs.Store.
func (s *Sessions) Delete(token string) error { return s.DeleteCtx(context.Background(), token) }

// DeleteExpired removes expired sessions and returns how many.
func (s *Sessions) DeleteExpired(ctx context.Context) (int64, error) {
	res, err := s.db.NewDelete().Model((*sessionRow)(nil)).Where("expiry <= ?", s.clock().UTC()).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("db: delete expired sessions: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// RunCleanup deletes expired sessions every interval until ctx ends.
func (s *Sessions) RunCleanup(ctx context.Context, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := s.DeleteExpired(ctx); err != nil {
				log.WarnContext(ctx, "session cleanup failed", "err", err)
			} else if n > 0 {
				log.DebugContext(ctx, "expired sessions removed", "count", n)
			}
		}
	}
}

// UserSessions lists a user's unexpired sessions, most recently seen first.
func (s *Sessions) UserSessions(ctx context.Context, userID uuid.UUID) ([]auth.Session, error) {
	var rows []sessionRow
	err := s.db.NewSelect().Model(&rows).
		Column("public_id", "browser", "os", "ip", "created_at", "last_seen_at").
		Where("user_id = ? AND expiry > ?", userID, s.clock().UTC()).
		OrderExpr("last_seen_at DESC, created_at DESC").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("db: sessions for user: %w", err)
	}
	out := make([]auth.Session, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}

// DeleteUserSession deletes the user's session with the public id and
// returns it, or auth.ErrNotFound when the user has none with that id.
func (s *Sessions) DeleteUserSession(ctx context.Context, userID uuid.UUID, publicID string) (auth.Session, error) {
	var rows []sessionRow
	_, err := s.db.NewDelete().Model(&rows).
		Where("user_id = ? AND public_id = ?", userID, publicID).
		Returning("public_id, browser, os, ip, created_at, last_seen_at").
		Exec(ctx, &rows)
	if err != nil {
		return auth.Session{}, fmt.Errorf("db: delete user session: %w", err)
	}
	if len(rows) == 0 {
		return auth.Session{}, auth.ErrNotFound
	}
	return rows[0].toDomain(), nil
}

// DeleteUserSessions deletes every session of the user except the one with
// public id keep ("" keeps none) and returns how many it deleted.
func (s *Sessions) DeleteUserSessions(ctx context.Context, userID uuid.UUID, keep string) (int, error) {
	q := s.db.NewDelete().Model((*sessionRow)(nil)).Where("user_id = ?", userID)
	if keep != "" {
		q = q.Where("public_id <> ?", keep)
	}
	res, err := q.Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("db: delete user sessions: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

func (r sessionRow) toDomain() auth.Session {
	return auth.Session{
		PublicID: r.PublicID, Browser: r.Browser, OS: r.OS, IP: r.IP,
		CreatedAt: r.CreatedAt, LastSeenAt: r.LastSeenAt,
	}
}
