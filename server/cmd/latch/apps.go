package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/uptrace/bun"

	"github.com/latch-dev/latch/db"
	"github.com/latch-dev/latch/server/apps"
	"github.com/latch-dev/latch/server/token"
)

const appsUsage = `usage: latch apps create SLUG -name NAME -url https://app.example.com [-brand BRAND] [-redirect-origin ORIGIN]...
       latch apps list
       latch apps rename SLUG NAME`

// appsCommand is `latch apps`: create, list and rename the apps this
// deployment serves, without SQL. A running server sees a new app within
// a minute (apps.Resolver).
func appsCommand(ctx context.Context, bdb *bun.DB, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New(appsUsage)
	}
	store := db.NewApps(bdb)
	switch args[0] {
	case "list":
		if len(args) != 1 {
			return errors.New(appsUsage)
		}
		all, err := store.Apps(ctx)
		if err != nil {
			return err
		}
		return printApps(stdout, all...)
	case "create":
		if len(args) < 2 || strings.HasPrefix(args[1], "-") {
			return fmt.Errorf("apps create: the slug comes first\n%s", appsUsage)
		}
		in := apps.Input{Slug: args[1]}
		fs := flag.NewFlagSet("apps create", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		fs.StringVar(&in.Name, "name", "", "")
		fs.StringVar(&in.PublicURL, "url", "", "")
		fs.StringVar(&in.BrandName, "brand", "", "")
		fs.Func("redirect-origin", "", func(s string) error {
			in.RedirectOrigins = append(in.RedirectOrigins, s)
			return nil
		})
		if err := fs.Parse(args[2:]); err != nil || fs.NArg() > 0 {
			return fmt.Errorf("apps create: %v\n%s", cmpErr(err, "unexpected argument "+strings.Join(fs.Args(), " ")), appsUsage)
		}
		a, err := apps.New(in)
		if err != nil {
			return fmt.Errorf("apps create: %w", err)
		}
		err = db.NewAppChanges(bdb).CreateApp(ctx, a, "cli")
		if errors.Is(err, apps.ErrDuplicate) {
			return fmt.Errorf("apps create: an app with slug %q or host %q already exists", a.Slug, a.Host)
		}
		if err != nil {
			return err
		}
		return printApps(stdout, a)
	case "rename":
		if len(args) != 3 {
			return errors.New(appsUsage)
		}
		name, err := apps.CheckRename(args[1], args[2])
		if err != nil {
			return fmt.Errorf("apps rename: %w", err)
		}
		a, err := db.NewAppChanges(bdb).RenameApp(ctx, args[1], name, "cli")
		if errors.Is(err, apps.ErrNotFound) {
			return fmt.Errorf("apps rename: no app with slug %q (see latch apps list)", args[1])
		}
		if err != nil {
			return err
		}
		return printApps(stdout, a)
	default:
		return fmt.Errorf("apps: unknown action %q\n%s", args[0], appsUsage)
	}
}

func cmpErr(err error, otherwise string) string {
	if err != nil {
		return err.Error()
	}
	return otherwise
}

func printApps(w io.Writer, all ...apps.App) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SLUG\tNAME\tBRAND\tPUBLIC URL\tREDIRECT ORIGINS\tTOKEN AUDIENCE")
	for _, a := range all {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", a.Slug, a.Name, a.Brand(), dash(a.PublicURL),
			dash(strings.Join(a.RedirectOrigins, " ")), token.AppAudience(a.ID))
	}
	return tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
