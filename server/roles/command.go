package roles

import (
	"context"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/google/uuid"

	"github.com/latch-dev/latch/client/validate"
	"github.com/latch-dev/latch/server/auth"
)

// CommandActor names the command line as the actor of the audit events
// Command records: whoever runs it holds the database already.
const CommandActor = "cli"

// CommandUsage is Command's usage.
const CommandUsage = `latch admin grant EMAIL ROLE
       latch admin revoke EMAIL ROLE
       latch admin list`

// Users finds an account by its email (db.Users).
type Users interface {
	UserByIdentity(ctx context.Context, appID uuid.UUID, kind auth.IdentityKind, value string) (auth.User, error)
}

// Command runs `latch admin`: grant EMAIL ROLE, revoke EMAIL ROLE or
// list, for appID, writing what it did to stdout. It is how the first
// administrator comes to be: Latch has no default account or password.
// Every grant and revoke is audited with the actor "cli".
func (s *Service) Command(ctx context.Context, users Users, appID uuid.UUID, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("admin: want grant, revoke or list\nusage: %s", CommandUsage)
	}
	ctx = auth.WithActor(ctx, CommandActor)
	switch sub := args[0]; sub {
	case "list":
		if len(args) != 1 {
			return fmt.Errorf("admin list takes no arguments\nusage: %s", CommandUsage)
		}
		members, err := s.Members(ctx, appID)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ROLE\tEMAIL\tUSER ID\tGRANTED")
		for _, m := range members {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", m.Role, m.Email, m.UserID, m.GrantedAt.UTC().Format(time.RFC3339))
		}
		return tw.Flush()
	case "grant", "revoke":
		if len(args) != 3 {
			return fmt.Errorf("admin %s wants EMAIL ROLE\nusage: %s", sub, CommandUsage)
		}
		email, problem := validate.Email(args[1])
		if problem != "" {
			return fmt.Errorf("admin %s: %q is not an email address", sub, args[1])
		}
		u, err := users.UserByIdentity(ctx, appID, auth.IdentityEmail, email)
		if errors.Is(err, auth.ErrNotFound) {
			return fmt.Errorf("admin %s: no account has the email address %s", sub, email)
		}
		if err != nil {
			return err
		}
		role, done := args[2], "granted to"
		if sub == "grant" {
			err = s.Grant(ctx, appID, u.ID, role)
		} else {
			err, done = s.Revoke(ctx, appID, u.ID, role), "revoked from"
		}
		if err != nil {
			return fmt.Errorf("admin %s: %w", sub, err)
		}
		fmt.Fprintf(stdout, "admin %s: role %s %s %s (%s)\n", sub, role, done, email, u.ID)
		return nil
	default:
		return fmt.Errorf("admin: unknown subcommand %q\nusage: %s", sub, CommandUsage)
	}
}
