// Package roles is Latch's roles and permissions: per app, a user holds
// roles, and a role grants permissions. Two roles are built in and defined
// here, so they cannot drift from the console that relies on them: admin
// holds every permission, support can read accounts and take the limited
// actions that help a user without taking their account over. A product
// defines its own roles with Define and checks its own permissions with
// the Checker that Service implements (server/protect's RequirePermission).
//
// Roles are read from the database on every check: revoking a role takes
// effect on the next request, never after a cached copy expires.
package roles

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/latch-dev/latch/server/auth"
)

// The built-in roles.
const (
	Admin   = "admin"
	Support = "support"
)

// The permissions Latch's admin console checks. A product adds its own
// names (any string matching the permission pattern).
const (
	UsersRead          = "users.read"           // search users, see a user's page
	UsersSuspend       = "users.suspend"        // suspend and unsuspend
	UsersDelete        = "users.delete"         // delete, with the self-service grace period
	SessionsRevoke     = "sessions.revoke"      // sign a user out of one or every session
	UsersResetPassword = "users.reset_password" // require a new password at the next sign-in
	UsersVerify        = "users.verify"         // resend the email verification code
	FactorsRemove      = "factors.remove"       // remove a second factor after an out-of-band check
	RolesManage        = "roles.manage"         // grant and revoke roles
	AuditRead          = "audit.read"           // search the audit log and export it
	OutboxRead         = "outbox.read"          // see queued, failed and cancelled messages
	OutboxManage       = "outbox.manage"        // retry and cancel messages
	LimitsRead         = "limits.read"          // see the limits that tripped
	AppsManage         = "apps.manage"          // list, create and rename the deployment's apps
)

// Console lists every permission Latch itself checks.
var Console = []string{UsersRead, UsersSuspend, UsersDelete, SessionsRevoke, UsersResetPassword, UsersVerify,
	FactorsRemove, RolesManage, AuditRead, OutboxRead, OutboxManage, LimitsRead, AppsManage}

// builtin are the built-in roles' permissions; admin holds every
// permission, a product's too.
var builtin = map[string][]string{
	Support: {UsersRead, SessionsRevoke, UsersVerify, AuditRead, OutboxRead, LimitsRead},
}

// Errors.
var (
	ErrBadRole       = errors.New("roles: a role name is 1-32 lowercase letters, digits, '-' or '_', starting with a letter")
	ErrBadPermission = errors.New("roles: a permission is 1-64 lowercase letters, digits, '.', ':', '-' or '_', starting with a letter")
	ErrUnknownRole   = errors.New("roles: no such role: neither built in nor defined")
	ErrBuiltIn       = errors.New("roles: a built-in role cannot be redefined")
)

var (
	roleName       = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,31}$`)
	permissionName = regexp.MustCompile(`^[a-z][a-z0-9_.:-]{0,63}$`)
)

// Member is one role held by one user, for listings.
type Member struct {
	UserID    uuid.UUID
	Email     string // the user's email identity, "" when none
	Role      string
	GrantedAt time.Time
}

// Store keeps roles. db.Roles implements it.
type Store interface {
	// Grant gives userID (of appID) role; it reports false when the user
	// already had it, and auth.ErrNotFound when appID has no such user.
	Grant(ctx context.Context, appID, userID uuid.UUID, role string, by uuid.UUID) (bool, error)
	// Revoke removes role from userID, reporting whether it was held.
	Revoke(ctx context.Context, appID, userID uuid.UUID, role string) (bool, error)
	// UserRoles lists the roles userID holds, sorted.
	UserRoles(ctx context.Context, userID uuid.UUID) ([]string, error)
	// RolePermissions lists the permissions defined for the product roles
	// among roles, in userID's app.
	RolePermissions(ctx context.Context, userID uuid.UUID, roles []string) ([]string, error)
	// Define replaces the permissions of a product role.
	Define(ctx context.Context, appID uuid.UUID, role string, permissions []string) error
	// Defined reports whether appID defines role.
	Defined(ctx context.Context, appID uuid.UUID, role string) (bool, error)
	// Members lists every role held in appID, by role then email.
	Members(ctx context.Context, appID uuid.UUID) ([]Member, error)
}

// Service grants, revokes and checks roles. It is safe for concurrent use.
type Service struct {
	store Store
	audit auth.Auditor
	log   *slog.Logger
}

// New returns a Service over store; every grant and revoke is recorded
// with audit. log nil discards.
func New(store Store, audit auth.Auditor, log *slog.Logger) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{store: store, audit: audit, log: log}
}

// BuiltIn reports whether role is one of Latch's own roles.
func BuiltIn(role string) bool {
	_, ok := builtin[role]
	return ok || role == Admin
}

// known checks role is a valid name, built in or defined for appID.
func (s *Service) known(ctx context.Context, appID uuid.UUID, role string) error {
	if !roleName.MatchString(role) {
		return ErrBadRole
	}
	if BuiltIn(role) {
		return nil
	}
	ok, err := s.store.Defined(ctx, appID, role)
	if err != nil {
		return fmt.Errorf("roles: %w", err)
	}
	if !ok {
		return ErrUnknownRole
	}
	return nil
}

// Grant gives userID role, recording a "role.grant" event on the user
// (with the actor auth.WithActor put in ctx). Granting a role held
// already changes nothing and records nothing.
//
// Errors: ErrBadRole, ErrUnknownRole; auth.ErrNotFound when appID has no
// such user; anything else is internal.
func (s *Service) Grant(ctx context.Context, appID, userID uuid.UUID, role string) error {
	if err := s.known(ctx, appID, role); err != nil {
		return err
	}
	by, _ := uuid.Parse(auth.ActorFrom(ctx))
	added, err := s.store.Grant(ctx, appID, userID, role, by)
	if err != nil {
		if errors.Is(err, auth.ErrNotFound) {
			return err
		}
		return fmt.Errorf("roles: grant: %w", err)
	}
	if added {
		s.record(ctx, auth.Event{AppID: appID, UserID: userID, Name: "role.grant", Outcome: auth.Success, Detail: map[string]string{"role": role}})
	}
	return nil
}

// Revoke takes role from userID, recording a "role.revoke" event when it
// was held. The next permission check, and the next access token, no
// longer have it.
//
// Errors: ErrBadRole; anything else is internal.
func (s *Service) Revoke(ctx context.Context, appID, userID uuid.UUID, role string) error {
	if !roleName.MatchString(role) {
		return ErrBadRole
	}
	removed, err := s.store.Revoke(ctx, appID, userID, role)
	if err != nil {
		return fmt.Errorf("roles: revoke: %w", err)
	}
	if removed {
		s.record(ctx, auth.Event{AppID: appID, UserID: userID, Name: "role.revoke", Outcome: auth.Success, Detail: map[string]string{"role": role}})
	}
	return nil
}

// Define sets the permissions of a product role of appID (replacing
// them). Built-in roles cannot be redefined.
//
// Errors: ErrBadRole, ErrBadPermission, ErrBuiltIn; anything else is
// internal.
func (s *Service) Define(ctx context.Context, appID uuid.UUID, role string, permissions ...string) error {
	if !roleName.MatchString(role) {
		return ErrBadRole
	}
	if BuiltIn(role) {
		return ErrBuiltIn
	}
	for _, p := range permissions {
		if !permissionName.MatchString(p) {
			return ErrBadPermission
		}
	}
	if err := s.store.Define(ctx, appID, role, permissions); err != nil {
		return fmt.Errorf("roles: define: %w", err)
	}
	return nil
}

// Roles lists the roles userID holds, sorted: what the access token's
// roles claim carries.
func (s *Service) Roles(ctx context.Context, userID uuid.UUID) ([]string, error) {
	r, err := s.store.UserRoles(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("roles: %w", err)
	}
	return r, nil
}

// UserRoles is Roles for the token service (auth.RoleReader): appID is
// implied by the user.
func (s *Service) UserRoles(ctx context.Context, appID, userID uuid.UUID) ([]string, error) {
	return s.Roles(ctx, userID)
}

// Members lists every role held in appID.
func (s *Service) Members(ctx context.Context, appID uuid.UUID) ([]Member, error) {
	m, err := s.store.Members(ctx, appID)
	if err != nil {
		return nil, fmt.Errorf("roles: %w", err)
	}
	return m, nil
}

// Allowed reports whether userID holds a role that grants permission,
// reading the roles now (protect.Checker). An error is never a yes.
func (s *Service) Allowed(ctx context.Context, userID uuid.UUID, permission string) (bool, error) {
	held, err := s.store.UserRoles(ctx, userID)
	if err != nil {
		return false, fmt.Errorf("roles: %w", err)
	}
	return s.allows(ctx, userID, held, permission)
}

func (s *Service) allows(ctx context.Context, userID uuid.UUID, held []string, permission string) (bool, error) {
	var product []string
	for _, r := range held {
		if r == Admin || slices.Contains(builtin[r], permission) {
			return true, nil
		}
		if !BuiltIn(r) {
			product = append(product, r)
		}
	}
	if len(product) == 0 {
		return false, nil
	}
	perms, err := s.store.RolePermissions(ctx, userID, product)
	if err != nil {
		return false, fmt.Errorf("roles: %w", err)
	}
	return slices.Contains(perms, permission), nil
}

// Permissions lists what userID may do of Latch's console permissions
// and their product roles' permissions, for a page to show only the
// actions that would be allowed.
func (s *Service) Permissions(ctx context.Context, userID uuid.UUID) (map[string]bool, error) {
	held, err := s.store.UserRoles(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("roles: %w", err)
	}
	out := map[string]bool{}
	for _, p := range Console {
		ok, err := s.allows(ctx, userID, held, p)
		if err != nil {
			return nil, err
		}
		out[p] = ok
	}
	return out, nil
}

func (s *Service) record(ctx context.Context, e auth.Event) {
	if err := s.audit.Record(ctx, e); err != nil {
		s.log.ErrorContext(ctx, "audit write failed", "event", e.Name, "err", err)
	}
}
