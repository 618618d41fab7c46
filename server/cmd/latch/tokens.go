package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/uptrace/bun"

	"github.com/latch-dev/latch/db"
	"github.com/latch-dev/latch/server/auth"
	"github.com/latch-dev/latch/server/config"
	"github.com/latch-dev/latch/server/devdb"
	"github.com/latch-dev/latch/server/roles"
	"github.com/latch-dev/latch/server/token"
)

// tokenKEK returns the key-encryption key: LATCH_TOKEN_KEK, or in dev
// without it, the key kept in DataDir/keys/kek (made on first use, mode
// 0600), so signing keys survive restarts in dev too.
func tokenKEK(cfg config.Config, log *slog.Logger) ([]byte, error) {
	if cfg.TokenKEK != nil {
		return cfg.TokenKEK, nil
	}
	if cfg.Env != config.EnvDev {
		return nil, fmt.Errorf("config: LATCH_TOKEN_KEK is required in production: 32 random bytes in base64, e.g. from `openssl rand -base64 32`")
	}
	dir := cfg.DataDir
	if !filepath.IsAbs(dir) {
		if root, err := devdb.ProjectRoot("."); err == nil {
			dir = filepath.Join(root, dir)
		}
	}
	path := filepath.Join(dir, "keys", "kek")
	log.Info("LATCH_TOKEN_KEK is not set: using the development key-encryption key", "path", path)
	return token.LoadOrCreateKEKFile(path)
}

// keyRing opens the signing-key ring, making the first key if there is none.
func keyRing(ctx context.Context, cfg config.Config, bdb *bun.DB, log *slog.Logger) (*token.Ring, []byte, error) {
	kek, err := tokenKEK(cfg, log)
	if err != nil {
		return nil, nil, err
	}
	ring, err := token.NewRing(ctx, db.NewSigningKeys(bdb), kek, token.Options{
		AccessTTL: cfg.AccessTokenTTL, Issuer: cfg.Origin(), Audience: cfg.TokenAudience, Logger: log,
	})
	if err != nil {
		return nil, nil, err
	}
	return ring, kek, nil
}

// tokenFlows wires the token API over ring: the refresh-token store (whose
// cleanup loop serve starts) and the flows themselves. codes, when not nil,
// offers the one-time code grant.
func tokenFlows(cfg config.Config, bdb *bun.DB, ring *token.Ring, kek []byte, accounts auth.PasswordAccounts, audit auth.Auditor, codes auth.CodeVerifier, second auth.GrantSecondFactors, log *slog.Logger) (*auth.Tokens, *db.RefreshTokens, error) {
	replay, err := token.NewSealer(kek, token.PurposeRefreshReplay)
	if err != nil {
		return nil, nil, err
	}
	store := db.NewRefreshTokens(bdb)
	return auth.NewTokens(accounts, store, ring, replay, audit, auth.TokenOptions{
		RefreshLifetime: cfg.RefreshTokenLifetime, Grace: cfg.RefreshGrace, Logger: log, Codes: codes, SecondFactors: second,
		Roles:        roles.New(db.NewRoles(bdb), audit, log), // the roles claim, read at every issue and refresh
		LiveAccounts: db.NewUsers(bdb),
		FamilyRoles:  store,
	}), store, nil
}

const keysUsage = `usage: latch keys list
       latch keys rotate [ACTIVATE_IN]   e.g. latch keys rotate 10m`

// keys lists the signing keys or rotates them. A rotation's new key signs
// from ACTIVATE_IN from now on (default at once); running instances pick
// it up within a minute, and old public keys stay published until the
// last token they signed has expired.
func keys(ctx context.Context, cfg config.Config, bdb *bun.DB, args []string, stdout io.Writer, log *slog.Logger) error {
	if len(args) == 0 || len(args) > 2 || (args[0] == "list" && len(args) > 1) {
		return fmt.Errorf("%s", keysUsage)
	}
	ring, _, err := keyRing(ctx, cfg, bdb, log)
	if err != nil {
		return err
	}
	switch args[0] {
	case "list":
	case "rotate":
		var in time.Duration
		if len(args) == 2 {
			if in, err = time.ParseDuration(args[1]); err != nil || in < 0 {
				return fmt.Errorf("keys rotate: %q is not a duration such as 10m\n%s", args[1], keysUsage)
			}
		}
		k, err := ring.Rotate(ctx, in)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "rotated: %s signs from %s\n", k.ID, k.NotBefore.Format(time.RFC3339))
	default:
		return fmt.Errorf("keys: unknown action %q\n%s", args[0], keysUsage)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KID\tSIGNS FROM\tRETIRED AT\tPUBLISHED UNTIL")
	for _, k := range ring.Keys() {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", k.ID, k.NotBefore.Format(time.RFC3339), orDash(k.RetiredAt), orDash(k.RetireAfter))
	}
	return tw.Flush()
}

func orDash(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.Format(time.RFC3339)
}
