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
	"github.com/uptrace/bun"

	"github.com/latch-dev/latch/server/auth"
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
}

// Sessions is an scs.CtxStore on PostgreSQL. Rows are keyed by the SHA-256
// of the session token, so the table holds no usable cookie values. Each
// commit also records the session's user (read from the session data under
// UserKey), the client's IP and user agent and the time, for the device list.
type Sessions struct {
	db      bun.IDB
	userKey string
	clock   func() time.Time
	codec   scs.Codec
}

// NewSessions returns a session store. userKey is the session data key that
// holds the signed-in user's id as a string; clock nil means time.Now.
func NewSessions(db bun.IDB, userKey string, clock func() time.Time) *Sessions {
	if clock == nil {
		clock = time.Now
	}
	return &Sessions{db: db, userKey: userKey, clock: clock, codec: scs.GobCodec{}}
}

var _ scs.CtxStore = (*Sessions)(nil)

func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// FindCtx returns the data of an unexpired session.
func (s *Sessions) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	var data []byte
	err := s.db.NewSelect().Model((*sessionRow)(nil)).Column("data").
		Where("token_hash = ? AND expiry > ?", hashToken(token), s.clock().UTC()).
		Scan(ctx, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("db: find session: %w", err)
	}
	return data, true, nil
}

// CommitCtx inserts or updates a session.
func (s *Sessions) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	now := s.clock().UTC()
	c := auth.ClientFrom(ctx)
	row := sessionRow{
		TokenHash: hashToken(token), Data: b, Expiry: expiry.UTC(),
		UserID: s.userID(b), CreatedAt: now, LastSeenAt: now,
		IP: c.IP, UserAgent: truncate(c.UserAgent, 512),
	}
	_, err := s.db.NewInsert().Model(&row).
		On("CONFLICT (token_hash) DO UPDATE").
		Set("data = EXCLUDED.data").
		Set("expiry = EXCLUDED.expiry").
		Set("user_id = EXCLUDED.user_id").
		Set("last_seen_at = EXCLUDED.last_seen_at").
		Set("ip = EXCLUDED.ip").
		Set("user_agent = EXCLUDED.user_agent").
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("db: commit session: %w", err)
	}
	return nil
}

// userID reads the signed-in user from encoded session data; a session
// without one (or one that cannot be decoded) is anonymous.
func (s *Sessions) userID(b []byte) *uuid.UUID {
	_, values, err := s.codec.Decode(b)
	if err != nil {
		return nil
	}
	str, _ := values[s.userKey].(string)
	id, err := uuid.Parse(str)
	if err != nil {
		return nil
	}
	return &id
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

// SessionInfo is one row of a user's device list.
type SessionInfo struct {
	UserID     *uuid.UUID
	CreatedAt  time.Time
	LastSeenAt time.Time
	Expiry     time.Time
	IP         string
	UserAgent  string
}

// ForUser lists a user's unexpired sessions, most recently seen first.
func (s *Sessions) ForUser(ctx context.Context, userID uuid.UUID) ([]SessionInfo, error) {
	var rows []sessionRow
	err := s.db.NewSelect().Model(&rows).
		Column("user_id", "created_at", "last_seen_at", "expiry", "ip", "user_agent").
		Where("user_id = ? AND expiry > ?", userID, s.clock().UTC()).
		OrderExpr("last_seen_at DESC").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("db: sessions for user: %w", err)
	}
	out := make([]SessionInfo, len(rows))
	for i, r := range rows {
		out[i] = SessionInfo{UserID: r.UserID, CreatedAt: r.CreatedAt, LastSeenAt: r.LastSeenAt, Expiry: r.Expiry, IP: r.IP, UserAgent: r.UserAgent}
	}
	return out, nil
}
