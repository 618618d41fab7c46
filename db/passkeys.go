package db

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/latch-dev/latch/server/auth"
)

type webauthnHandleRow struct {
	bun.BaseModel `bun:"table:webauthn_handles"`

	UserID    uuid.UUID `bun:"user_id,pk,type:uuid"`
	AppID     uuid.UUID `bun:"app_id,type:uuid"`
	Handle    []byte    `bun:"handle"`
	CreatedAt time.Time `bun:"created_at"`
}

type passkeyRow struct {
	bun.BaseModel `bun:"table:passkeys"`

	ID              uuid.UUID  `bun:"id,pk,type:uuid"`
	AppID           uuid.UUID  `bun:"app_id,type:uuid"`
	UserID          uuid.UUID  `bun:"user_id,type:uuid"`
	CredentialID    []byte     `bun:"credential_id"`
	PublicKey       []byte     `bun:"public_key"`
	AttestationType string     `bun:"attestation_type"`
	AAGUID          uuid.UUID  `bun:"aaguid,type:uuid"`
	SignCount       int64      `bun:"sign_count"`
	BackupEligible  bool       `bun:"backup_eligible"`
	BackupState     bool       `bun:"backup_state"`
	Transports      []string   `bun:"transports,array"`
	UserVerified    bool       `bun:"user_verified"`
	Name            string     `bun:"name"`
	CreatedAt       time.Time  `bun:"created_at"`
	LastUsedAt      *time.Time `bun:"last_used_at"`
}

func (r passkeyRow) toDomain() auth.Passkey {
	return auth.Passkey{
		ID: r.ID, AppID: r.AppID, UserID: r.UserID, CredentialID: r.CredentialID, PublicKey: r.PublicKey,
		AttestationType: r.AttestationType, AAGUID: r.AAGUID, SignCount: uint32(r.SignCount),
		BackupEligible: r.BackupEligible, BackupState: r.BackupState, Transports: r.Transports,
		UserVerified: r.UserVerified, Name: r.Name, CreatedAt: r.CreatedAt, LastUsedAt: r.LastUsedAt,
	}
}

// Passkeys implements auth.PasskeyStore: WebAuthn credentials (public keys
// only) and each user's random user handle.
type Passkeys struct{ db bun.IDB }

// NewPasskeys returns the passkey store over db.
func NewPasskeys(db bun.IDB) *Passkeys { return &Passkeys{db: db} }

var _ auth.PasskeyStore = (*Passkeys)(nil)

// UserHandle returns the user's handle, making 32 random bytes the first
// time (two concurrent first calls agree: the second insert does nothing
// and both read the one row).
func (s *Passkeys) UserHandle(ctx context.Context, appID, userID uuid.UUID, at time.Time) ([]byte, error) {
	h := make([]byte, 32)
	if _, err := rand.Read(h); err != nil {
		return nil, err
	}
	row := webauthnHandleRow{UserID: userID, AppID: appID, Handle: h, CreatedAt: at.UTC()}
	if _, err := s.db.NewInsert().Model(&row).On("CONFLICT (user_id) DO NOTHING").Exec(ctx); err != nil {
		return nil, fmt.Errorf("db: passkey handle: %w", err)
	}
	var got webauthnHandleRow
	err := s.db.NewSelect().Model(&got).Where("user_id = ? AND app_id = ?", userID, appID).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, auth.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("db: passkey handle: %w", err)
	}
	return got.Handle, nil
}

// UserByHandle returns the user holding handle in the app, or
// auth.ErrNotFound.
func (s *Passkeys) UserByHandle(ctx context.Context, appID uuid.UUID, handle []byte) (uuid.UUID, error) {
	if len(handle) != 32 {
		return uuid.Nil, auth.ErrNotFound
	}
	var id uuid.UUID
	err := s.db.NewSelect().Model((*webauthnHandleRow)(nil)).Column("user_id").
		Where("app_id = ? AND handle = ?", appID, handle).Scan(ctx, &id)
	if errors.Is(err, sql.ErrNoRows) {
		return uuid.Nil, auth.ErrNotFound
	}
	if err != nil {
		return uuid.Nil, fmt.Errorf("db: passkey user: %w", err)
	}
	return id, nil
}

// Passkeys returns the user's passkeys, oldest first.
func (s *Passkeys) Passkeys(ctx context.Context, appID, userID uuid.UUID) ([]auth.Passkey, error) {
	var rows []passkeyRow
	if err := s.db.NewSelect().Model(&rows).Where("app_id = ? AND user_id = ?", appID, userID).
		OrderExpr("created_at, id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("db: passkeys: %w", err)
	}
	out := make([]auth.Passkey, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}

// AddPasskey stores p, or returns auth.ErrPasskeyTaken when its credential
// id is registered in the app already.
func (s *Passkeys) AddPasskey(ctx context.Context, p auth.Passkey) error {
	transports := p.Transports
	if transports == nil {
		transports = []string{}
	}
	row := passkeyRow{
		ID: p.ID, AppID: p.AppID, UserID: p.UserID, CredentialID: p.CredentialID, PublicKey: p.PublicKey,
		AttestationType: p.AttestationType, AAGUID: p.AAGUID, SignCount: int64(p.SignCount),
		BackupEligible: p.BackupEligible, BackupState: p.BackupState, Transports: transports,
		UserVerified: p.UserVerified, Name: p.Name, CreatedAt: p.CreatedAt.UTC(),
	}
	_, err := s.db.NewInsert().Model(&row).Exec(ctx)
	if isUniqueViolation(err, "passkeys_app_credential_key") {
		return auth.ErrPasskeyTaken
	}
	if err != nil {
		return fmt.Errorf("db: add passkey: %w", err)
	}
	return nil
}

// UsePasskey records a passing assertion in one statement that also
// checks the counter advanced (or both it and the stored one are zero,
// for authenticators without a counter), so two requests replaying one
// assertion cannot both pass. It returns auth.ErrPasskeyCounter when the
// counter did not advance, auth.ErrNotFound when the passkey is gone.
func (s *Passkeys) UsePasskey(ctx context.Context, appID, id uuid.UUID, u auth.PasskeyUse) error {
	res, err := s.db.NewUpdate().Model((*passkeyRow)(nil)).
		Set("sign_count = ?", int64(u.SignCount)).Set("backup_state = backup_eligible AND ?", u.BackupState).
		Set("last_used_at = ?", u.At.UTC()).
		Where("id = ? AND app_id = ?", id, appID).
		Where("(sign_count < ? OR (sign_count = 0 AND ? = 0))", int64(u.SignCount), int64(u.SignCount)).
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("db: use passkey: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil
	}
	exists, err := s.db.NewSelect().Model((*passkeyRow)(nil)).Where("id = ? AND app_id = ?", id, appID).Exists(ctx)
	if err != nil {
		return fmt.Errorf("db: use passkey: %w", err)
	}
	if !exists {
		return auth.ErrNotFound
	}
	return auth.ErrPasskeyCounter
}

// RenamePasskey names the user's passkey id, or returns auth.ErrNotFound.
func (s *Passkeys) RenamePasskey(ctx context.Context, appID, userID, id uuid.UUID, name string) error {
	res, err := s.db.NewUpdate().Model((*passkeyRow)(nil)).Set("name = ?", name).
		Where("id = ? AND app_id = ? AND user_id = ?", id, appID, userID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("db: rename passkey: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return auth.ErrNotFound
	}
	return nil
}

// RemovePasskey deletes the user's passkey id if allowed (called under a
// lock on the users row, with the account as it stands) returns nil. It
// returns auth.ErrNotFound when the user is not active or holds no such
// passkey, or allowed's error.
func (s *Passkeys) RemovePasskey(ctx context.Context, appID, userID, id uuid.UUID, allowed func(auth.Account) error) error {
	return s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := lockActive(ctx, tx, appID, userID); err != nil {
			return err
		}
		held, err := tx.NewSelect().Model((*passkeyRow)(nil)).Where("id = ? AND app_id = ? AND user_id = ?", id, appID, userID).Exists(ctx)
		if err != nil {
			return fmt.Errorf("db: remove passkey: %w", err)
		}
		if !held {
			return auth.ErrNotFound
		}
		acct, err := NewUsers(tx).Account(ctx, appID, userID)
		if err != nil {
			return err
		}
		if err := allowed(acct); err != nil {
			return err
		}
		if _, err := tx.NewDelete().Model((*passkeyRow)(nil)).Where("id = ? AND user_id = ?", id, userID).Exec(ctx); err != nil {
			return fmt.Errorf("db: remove passkey: %w", err)
		}
		return nil
	})
}
