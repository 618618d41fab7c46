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

type providerLinkRow struct {
	bun.BaseModel `bun:"table:provider_links"`

	IdentityID uuid.UUID  `bun:"identity_id,pk,type:uuid"`
	AppID      uuid.UUID  `bun:"app_id,type:uuid"`
	UserID     uuid.UUID  `bun:"user_id,type:uuid"`
	Provider   string     `bun:"provider"`
	Subject    string     `bun:"subject"`
	Email      string     `bun:"email"`
	Name       string     `bun:"name"`
	Tokens     []byte     `bun:"tokens"`
	CreatedAt  time.Time  `bun:"created_at"`
	LastUsedAt *time.Time `bun:"last_used_at"`
}

func (r providerLinkRow) toDomain() auth.ProviderLink {
	return auth.ProviderLink{Provider: r.Provider, Subject: r.Subject, Email: r.Email, Name: r.Name,
		CreatedAt: r.CreatedAt, LastUsedAt: r.LastUsedAt}
}

// Providers implements auth.ProviderStore on PostgreSQL: each link is an
// identity of kind oauth (value "{provider}:{subject}", verified when
// linked) and a provider_links row beside it.
type Providers struct{ db bun.IDB }

// NewProviders returns a provider link store over db.
func NewProviders(db bun.IDB) *Providers { return &Providers{db: db} }

var _ auth.ProviderStore = (*Providers)(nil)

// UserByProvider returns the user linked to (provider, subject), or
// auth.ErrNotFound.
func (s *Providers) UserByProvider(ctx context.Context, appID uuid.UUID, provider, subject string) (auth.User, error) {
	var u userRow
	err := s.db.NewSelect().Model(&u).
		Where("id = (SELECT user_id FROM provider_links WHERE app_id = ? AND provider = ? AND subject = ?)", appID, provider, subject).
		Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return auth.User{}, auth.ErrNotFound
	}
	if err != nil {
		return auth.User{}, fmt.Errorf("db: user by provider: %w", err)
	}
	return u.toDomain(), nil
}

// EmailHolder returns the user holding the email identity and whether it
// is verified, or auth.ErrNotFound.
func (s *Providers) EmailHolder(ctx context.Context, appID uuid.UUID, email string) (auth.User, bool, error) {
	var row struct {
		userRow
		VerifiedAt *time.Time `bun:"verified_at"`
	}
	err := s.db.NewSelect().
		TableExpr("identities AS i").
		ColumnExpr("u.id, u.app_id, u.status, u.created_at, u.updated_at, u.deleted_at, u.purge_after, u.purged_at, u.password_reset_at, i.verified_at").
		Join("JOIN users AS u ON u.id = i.user_id").
		Where("i.app_id = ? AND i.kind = ? AND i.value = ?", appID, string(auth.IdentityEmail), email).
		Scan(ctx, &row)
	if errors.Is(err, sql.ErrNoRows) {
		return auth.User{}, false, auth.ErrNotFound
	}
	if err != nil {
		return auth.User{}, false, fmt.Errorf("db: email holder: %w", err)
	}
	return row.userRow.toDomain(), row.VerifiedAt != nil, nil
}

// CreateProviderUser writes u, its link and (when email is set) its email
// identity in one transaction. It returns auth.ErrIdentityTaken when the
// link or the address already belongs to a user of the app.
func (s *Providers) CreateProviderUser(ctx context.Context, u auth.User, link auth.ProviderLink, tokens []byte, email string, emailVerified *time.Time) error {
	now := u.CreatedAt.UTC()
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(&userRow{
			ID: u.ID, AppID: u.AppID, Status: string(u.Status), CreatedAt: now, UpdatedAt: now,
		}).Exec(ctx); err != nil {
			return err
		}
		if email != "" {
			if _, err := tx.NewInsert().Model(&identityRow{
				ID: uuid.Must(uuid.NewV7()), AppID: u.AppID, UserID: u.ID, Kind: string(auth.IdentityEmail),
				Value: email, VerifiedAt: emailVerified, CreatedAt: now,
			}).Exec(ctx); err != nil {
				return err
			}
		}
		return insertLink(ctx, tx, u.AppID, u.ID, link, tokens)
	})
	if isUniqueViolation(err, "identities_app_kind_value_key") || isUniqueViolation(err, "provider_links_subject_key") {
		return auth.ErrIdentityTaken
	}
	if err != nil {
		return fmt.Errorf("db: create provider user: %w", err)
	}
	return nil
}

func insertLink(ctx context.Context, tx bun.Tx, appID, userID uuid.UUID, link auth.ProviderLink, tokens []byte) error {
	at := link.CreatedAt.UTC()
	id := uuid.Must(uuid.NewV7())
	if _, err := tx.NewInsert().Model(&identityRow{
		ID: id, AppID: appID, UserID: userID, Kind: string(auth.IdentityProvider),
		Value: auth.ProviderIdentity(link.Provider, link.Subject), VerifiedAt: &at, CreatedAt: at,
	}).Exec(ctx); err != nil {
		return err
	}
	_, err := tx.NewInsert().Model(&providerLinkRow{
		IdentityID: id, AppID: appID, UserID: userID, Provider: link.Provider, Subject: link.Subject,
		Email: link.Email, Name: link.Name, Tokens: tokens, CreatedAt: at, LastUsedAt: &at,
	}).Exec(ctx)
	return err
}

// LinkProvider gives the user the link, under a lock on the user row, if
// allow (nil: always) passes on the account. It returns added false when
// the user holds the link already, auth.ErrIdentityTaken when another
// user does, auth.ErrProviderTaken when the user holds another subject of
// the provider, and auth.ErrNotFound when the app has no such user.
func (s *Providers) LinkProvider(ctx context.Context, appID, userID uuid.UUID, link auth.ProviderLink, tokens []byte, allow func(auth.Account) error) (bool, error) {
	added := false
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var id uuid.UUID
		err := tx.NewSelect().Model((*userRow)(nil)).Column("id").
			Where("id = ? AND app_id = ?", userID, appID).For("UPDATE").Scan(ctx, &id)
		if errors.Is(err, sql.ErrNoRows) {
			return auth.ErrNotFound
		}
		if err != nil {
			return err
		}
		var existing []providerLinkRow
		if err := tx.NewSelect().Model(&existing).
			Where("app_id = ? AND provider = ? AND (user_id = ? OR subject = ?)", appID, link.Provider, userID, link.Subject).
			Scan(ctx); err != nil {
			return err
		}
		for _, e := range existing {
			switch {
			case e.UserID == userID && e.Subject == link.Subject:
				return nil // linked already
			case e.UserID != userID:
				return auth.ErrIdentityTaken
			default:
				return auth.ErrProviderTaken
			}
		}
		if allow != nil {
			acct, err := NewUsers(tx).Account(ctx, appID, userID)
			if err != nil {
				return err
			}
			if err := allow(acct); err != nil {
				return err
			}
		}
		added = true
		return insertLink(ctx, tx, appID, userID, link, tokens)
	})
	if isUniqueViolation(err, "identities_app_kind_value_key") || isUniqueViolation(err, "provider_links_subject_key") {
		return false, auth.ErrIdentityTaken
	}
	var ae *auth.Error
	if errors.Is(err, auth.ErrIdentityTaken) || errors.Is(err, auth.ErrProviderTaken) || errors.Is(err, auth.ErrNotFound) || errors.As(err, &ae) {
		return false, err
	}
	if err != nil {
		return false, fmt.Errorf("db: link provider: %w", err)
	}
	return added, nil
}

// ProviderUsed records a sign-in through a link, replacing the kept
// tokens when new ones come (nil keeps none).
func (s *Providers) ProviderUsed(ctx context.Context, appID uuid.UUID, provider, subject string, at time.Time, tokens []byte) error {
	_, err := s.db.NewUpdate().Model((*providerLinkRow)(nil)).
		Set("last_used_at = ?", at.UTC()).Set("tokens = ?", tokens).
		Where("app_id = ? AND provider = ? AND subject = ?", appID, provider, subject).Exec(ctx)
	if err != nil {
		return fmt.Errorf("db: provider used: %w", err)
	}
	return nil
}

// UnlinkProvider removes the user's link to provider (its identity and
// row) if allow passes, under a lock on the active user. It returns
// auth.ErrNotFound when the user has no such link.
func (s *Providers) UnlinkProvider(ctx context.Context, appID, userID uuid.UUID, provider string, allow func(auth.Account, string) error) error {
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := lockActive(ctx, tx, appID, userID); err != nil {
			return err
		}
		var link providerLinkRow
		err := tx.NewSelect().Model(&link).Where("app_id = ? AND user_id = ? AND provider = ?", appID, userID, provider).Scan(ctx)
		if errors.Is(err, sql.ErrNoRows) {
			return auth.ErrNotFound
		}
		if err != nil {
			return err
		}
		acct, err := NewUsers(tx).Account(ctx, appID, userID)
		if err != nil {
			return err
		}
		if err := allow(acct, auth.ProviderIdentity(link.Provider, link.Subject)); err != nil {
			return err
		}
		// The link's row goes with its identity (ON DELETE CASCADE).
		_, err = tx.NewDelete().Model((*identityRow)(nil)).Where("id = ?", link.IdentityID).Exec(ctx)
		return err
	})
	var ae *auth.Error
	if errors.Is(err, auth.ErrNotFound) || errors.As(err, &ae) {
		return err
	}
	if err != nil {
		return fmt.Errorf("db: unlink provider: %w", err)
	}
	return nil
}

// ProviderLinks lists the user's links, oldest first.
func (s *Providers) ProviderLinks(ctx context.Context, appID, userID uuid.UUID) ([]auth.ProviderLink, error) {
	var rows []providerLinkRow
	if err := s.db.NewSelect().Model(&rows).Where("app_id = ? AND user_id = ?", appID, userID).
		OrderExpr("created_at").Scan(ctx); err != nil {
		return nil, fmt.Errorf("db: provider links: %w", err)
	}
	out := make([]auth.ProviderLink, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}

// ClaimByProof: see Users.ClaimByProof.
func (s *Providers) ClaimByProof(ctx context.Context, appID, userID uuid.UUID, email string) (auth.ProofClaim, error) {
	return NewUsers(s.db).ClaimByProof(ctx, appID, userID, email)
}
