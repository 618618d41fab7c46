package db

import (
	"context"
	"database/sql"
	"errors"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Locales keeps the language each account chose (users.locale): the
// language of its pages, and of the emails and text messages sent to its
// addresses and numbers.
type Locales struct{ db bun.IDB }

// NewLocales returns the locale store over db.
func NewLocales(db bun.IDB) *Locales { return &Locales{db: db} }

// Locale returns the language saved on the account, "" for none (or no
// such account).
func (s *Locales) Locale(ctx context.Context, appID, userID uuid.UUID) (string, error) {
	var loc sql.NullString
	err := s.db.NewSelect().Table("users").Column("locale").
		Where("id = ? AND app_id = ?", userID, appID).Scan(ctx, &loc)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return loc.String, err
}

// SetLocale saves lang on the account; "" clears it. The caller checks
// lang is a language the catalog has; the column's check refuses what is
// not a language tag.
func (s *Locales) SetLocale(ctx context.Context, appID, userID uuid.UUID, lang string) error {
	var v sql.NullString
	if lang != "" {
		v = sql.NullString{String: lang, Valid: true}
	}
	_, err := s.db.NewUpdate().Table("users").Set("locale = ?", v).
		Where("id = ? AND app_id = ?", userID, appID).Exec(ctx)
	return err
}

// LocaleOf returns the language saved on the account that address (an
// email address or an E.164 number, as stored) belongs to, "" when it
// belongs to none or the account saved none.
func (s *Locales) LocaleOf(ctx context.Context, appID uuid.UUID, address string) (string, error) {
	var loc sql.NullString
	err := s.db.NewSelect().TableExpr("identities AS i").Join("JOIN users AS u ON u.id = i.user_id").
		ColumnExpr("u.locale").
		Where("i.app_id = ? AND i.value = ? AND i.kind IN ('email', 'phone') AND u.locale IS NOT NULL", appID, address).
		Limit(1).Scan(ctx, &loc)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return loc.String, err
}
