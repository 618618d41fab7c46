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
	"github.com/latch-dev/latch/server/roles"
)

type userRoleRow struct {
	bun.BaseModel `bun:"table:user_roles"`

	AppID     uuid.UUID  `bun:"app_id,type:uuid"`
	UserID    uuid.UUID  `bun:"user_id,pk,type:uuid"`
	Role      string     `bun:"role,pk"`
	GrantedBy *uuid.UUID `bun:"granted_by,type:uuid"`
	GrantedAt time.Time  `bun:"granted_at"`
}

type rolePermissionRow struct {
	bun.BaseModel `bun:"table:role_permissions"`

	AppID      uuid.UUID `bun:"app_id,pk,type:uuid"`
	Role       string    `bun:"role,pk"`
	Permission string    `bun:"permission,pk"`
}

// Roles implements roles.Store on PostgreSQL.
type Roles struct{ db bun.IDB }

// NewRoles returns a role store over db.
func NewRoles(db bun.IDB) *Roles { return &Roles{db: db} }

var _ roles.Store = (*Roles)(nil)

// Grant gives the user the role: auth.ErrNotFound when the app has no such
// user (or it is purged), false when the role was held already.
func (s *Roles) Grant(ctx context.Context, appID, userID uuid.UUID, role string, by uuid.UUID) (bool, error) {
	var exists bool
	if err := s.db.NewSelect().Model((*userRow)(nil)).ColumnExpr("true").
		Where("id = ? AND app_id = ? AND purged_at IS NULL", userID, appID).Scan(ctx, &exists); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return false, auth.ErrNotFound
		}
		return false, err
	}
	row := userRoleRow{AppID: appID, UserID: userID, Role: role, GrantedAt: time.Now().UTC()}
	if by != uuid.Nil {
		row.GrantedBy = &by
	}
	res, err := s.db.NewInsert().Model(&row).On("CONFLICT (user_id, role) DO NOTHING").Exec(ctx)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// Revoke removes the role, reporting whether it was held.
func (s *Roles) Revoke(ctx context.Context, appID, userID uuid.UUID, role string) (bool, error) {
	res, err := s.db.NewDelete().Model((*userRoleRow)(nil)).
		Where("app_id = ? AND user_id = ? AND role = ?", appID, userID, role).Exec(ctx)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// UserRoles lists the user's roles, sorted.
func (s *Roles) UserRoles(ctx context.Context, userID uuid.UUID) ([]string, error) {
	var out []string
	err := s.db.NewSelect().Model((*userRoleRow)(nil)).Column("role").
		Where("user_id = ?", userID).Order("role").Scan(ctx, &out)
	return out, err
}

// RolePermissions lists the permissions of the product roles named, in the
// user's app.
func (s *Roles) RolePermissions(ctx context.Context, userID uuid.UUID, names []string) ([]string, error) {
	var out []string
	err := s.db.NewSelect().Model((*rolePermissionRow)(nil)).Column("permission").
		Where("role IN (?) AND app_id = (SELECT app_id FROM users WHERE id = ?)", bun.In(names), userID).
		Scan(ctx, &out)
	return out, err
}

// Define replaces the role's permissions in one transaction.
func (s *Roles) Define(ctx context.Context, appID uuid.UUID, role string, permissions []string) error {
	return s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewDelete().Model((*rolePermissionRow)(nil)).Where("app_id = ? AND role = ?", appID, role).Exec(ctx); err != nil {
			return err
		}
		if len(permissions) == 0 {
			return nil
		}
		rows := make([]rolePermissionRow, 0, len(permissions))
		for _, p := range permissions {
			rows = append(rows, rolePermissionRow{AppID: appID, Role: role, Permission: p})
		}
		_, err := tx.NewInsert().Model(&rows).On("CONFLICT DO NOTHING").Exec(ctx)
		return err
	})
}

// Defined reports whether the app defines the role.
func (s *Roles) Defined(ctx context.Context, appID uuid.UUID, role string) (bool, error) {
	return s.db.NewSelect().Model((*rolePermissionRow)(nil)).Where("app_id = ? AND role = ?", appID, role).Exists(ctx)
}

// Members lists every role held in the app, with the holder's email.
func (s *Roles) Members(ctx context.Context, appID uuid.UUID) ([]roles.Member, error) {
	var rows []struct {
		UserID    uuid.UUID `bun:"user_id,type:uuid"`
		Email     string    `bun:"email"`
		Role      string    `bun:"role"`
		GrantedAt time.Time `bun:"granted_at"`
	}
	err := s.db.NewRaw(`SELECT r.user_id, coalesce(min(i.value), '') AS email, r.role, r.granted_at
		FROM user_roles r LEFT JOIN identities i ON i.user_id = r.user_id AND i.kind = 'email'
		WHERE r.app_id = ? GROUP BY r.user_id, r.role, r.granted_at ORDER BY r.role, email`, appID).Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("db: role members: %w", err)
	}
	out := make([]roles.Member, len(rows))
	for i, r := range rows {
		out[i] = roles.Member{UserID: r.UserID, Email: r.Email, Role: r.Role, GrantedAt: r.GrantedAt}
	}
	return out, nil
}
