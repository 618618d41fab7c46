// Command latch runs the Latch authentication server.
//
//	latch [serve]              serve HTTP (default)
//	latch migrate up|down      apply pending migrations, or roll back the last group
//	latch devdb start|stop|url manage the project-local PostgreSQL cluster
//	latch keys list|rotate     list the access-token signing keys, or rotate them
//	latch purge                purge deleted accounts whose grace period has ended
//	latch apps create|list|rename  manage the apps this deployment serves
//	latch admin grant|revoke EMAIL ROLE, latch admin list
//	                           grant, revoke and list roles (the first admin)
//
// Configuration comes from the environment; see .env.example.
package main

import (
	"context"
	"crypto/hkdf"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/latch-dev/latch/components/pages"
	"github.com/latch-dev/latch/db"
	"github.com/latch-dev/latch/server/admin"
	"github.com/latch-dev/latch/server/apps"
	"github.com/latch-dev/latch/server/auth"
	"github.com/latch-dev/latch/server/config"
	"github.com/latch-dev/latch/server/devdb"
	"github.com/latch-dev/latch/server/guard"
	"github.com/latch-dev/latch/server/metrics"
	"github.com/latch-dev/latch/server/password"
	"github.com/latch-dev/latch/server/roles"
	"github.com/latch-dev/latch/server/session"
	"github.com/latch-dev/latch/server/web"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// A .env file in the working directory fills in what the environment
	// leaves unset; the real environment always wins.
	getenv, err := config.WithDotenv(os.LookupEnv, config.DotenvFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, "latch: reading "+config.DotenvFile+":", err)
		os.Exit(1)
	}
	if err := run(ctx, os.Args[1:], getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "latch:", err)
		os.Exit(1)
	}
}

// run is main with its dependencies passed in, so tests can drive it.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "devdb":
		return devdb.Run(ctx, args, stdout)
	case "serve", "migrate", "keys", "purge", "apps", "admin":
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, usage)
		return nil
	default:
		return fmt.Errorf("unknown command %q\n%s", cmd, usage)
	}

	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	log := newLogger(cfg, stderr)

	dsn, err := databaseURL(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	bdb, err := db.Open(ctx, dsn, db.Options{MaxOpenConns: cfg.DBMaxConns})
	if err != nil {
		return err
	}
	defer bdb.Close()

	if cmd == "migrate" {
		return migrate(ctx, bdb, args, stdout)
	}
	if cmd == "keys" {
		return keys(ctx, cfg, bdb, args, stdout, log)
	}
	if cmd == "purge" {
		return purge(ctx, cfg, bdb, stdout, log)
	}
	if cmd == "apps" {
		return appsCommand(ctx, bdb, args, stdout)
	}
	if cmd == "admin" {
		return adminCommand(ctx, cfg, bdb, args, stdout, log)
	}
	if len(args) > 0 {
		return fmt.Errorf("serve takes no arguments\n%s", usage)
	}
	if applied, err := db.MigrateUp(ctx, bdb); err != nil {
		return err
	} else if len(applied) > 0 {
		log.Info("migrations applied", "names", applied)
	}
	if cfg.Env == config.EnvDev {
		var stop context.CancelFunc
		ctx, stop = context.WithCancel(ctx)
		defer stop()
		go stopWhenOrphaned(ctx, stop, 500*time.Millisecond) // dev: go run killed by the reloader
	}
	return serve(ctx, cfg, bdb, dsn, log, stderr)
}

const usage = `usage: latch [serve]
       latch migrate up|down
       latch devdb start|stop|url [-dir DIR]
       latch keys list|rotate [ACTIVATE_IN]
       latch purge
       latch apps create|list|rename
       latch admin grant|revoke EMAIL ROLE
       latch admin list`

// databaseURL is DATABASE_URL, or in dev without it, the DSN of the
// project-local cluster, started if needed.
func databaseURL(ctx context.Context, cfg config.Config, progress io.Writer) (string, error) {
	if cfg.DatabaseURL != "" {
		return cfg.DatabaseURL, nil
	}
	dir := filepath.Join(cfg.DataDir, "postgres")
	if !filepath.IsAbs(dir) {
		if root, err := devdb.ProjectRoot("."); err == nil {
			dir = filepath.Join(root, dir)
		}
	}
	fmt.Fprintf(progress, "latch: DATABASE_URL is not set; using the local PostgreSQL cluster in %s\n", dir)
	c := &devdb.Cluster{Dir: dir, Out: progress}
	return c.Start(ctx)
}

func migrate(ctx context.Context, bdb *bun.DB, args []string, stdout io.Writer) error {
	dir := "up"
	if len(args) > 0 {
		dir = args[0]
	}
	var names []string
	var err error
	switch dir {
	case "up":
		names, err = db.MigrateUp(ctx, bdb)
	case "down":
		names, err = db.MigrateDown(ctx, bdb)
	default:
		return fmt.Errorf("migrate: unknown direction %q (want up or down)", dir)
	}
	if err != nil {
		return err
	}
	if len(names) == 0 {
		fmt.Fprintf(stdout, "migrate %s: nothing to do\n", dir)
	}
	for _, n := range names {
		fmt.Fprintf(stdout, "migrate %s: %s\n", dir, n)
	}
	return nil
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// serve wires every part and serves until ctx ends, then drains requests
// for up to 10 seconds.
func serve(ctx context.Context, cfg config.Config, bdb *bun.DB, dsn string, log *slog.Logger, stderr io.Writer) error {
	appID, err := db.AppID(ctx, bdb, cfg.App)
	if err != nil {
		return err
	}
	// Every long-lived loop starts through bg: all of them end when ctx
	// does (shutdown), and serve waits for them before it returns.
	bg := newBackground(ctx, log)
	defer bg.stop(5 * time.Second)
	log.Info("features", cfg.Features().LogAttrs()...)
	assets, err := staticAssets(cfg, log)
	if err == nil {
		_, err = emailTheme(cfg)
	}
	if err != nil {
		return err
	}
	if cfg.ReloadURL != "" && cfg.StaticDir != "" {
		bg.start("static reload (dev)", func(ctx context.Context) { watchStatic(ctx, staticDir(cfg), cfg.ReloadURL, 200*time.Millisecond, log) })
	}
	params := password.DefaultParams()
	params.MemoryKiB, params.Iterations, params.Parallelism = cfg.Argon2MemoryKiB, cfg.Argon2Iterations, cfg.Argon2Parallelism
	if err := params.Validate(); err != nil {
		return fmt.Errorf("config: argon2 parameters: %w", err)
	}
	hasher := password.NewHasher(params, cfg.HashConcurrency)
	hasher.SetQueue(cfg.HashQueue, cfg.HashQueueWait)
	hasher.SetShare(float64(cfg.HashSharePercent) / 100)
	if limit, set := memoryLimit(os.Getenv("GOMEMLIMIT"), params, cfg.HashConcurrency); set {
		debug.SetMemoryLimit(limit)
	}
	// Metrics (LATCH_METRICS): nil everywhere when off, so nothing counts.
	mx, err := newMetrics(cfg, bdb, hasher)
	if err != nil {
		return err
	}
	// Every security event, counted on its way to the audit log.
	var audit auth.Auditor = db.NewAudit(bdb, nil)
	if mx != nil {
		audit = mx.Audit(audit)
	}
	// One guard, in PostgreSQL, for every guess and every costly action.
	ledger := db.NewGuard(bdb, nil)
	gd, err := guard.New(ledger, cfg.Guard, appID, guard.Options{Logger: log, Metrics: guardMetrics(mx), AppOf: appOf})
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	blocklist := passwordChecks(cfg, log) // refuses common and guessable new passwords on every path

	store := db.NewSessions(bdb, db.SessionKeys{User: session.UserKey, PublicID: session.PublicIDKey}, nil)
	bg.start("session cleanup", func(ctx context.Context) { store.RunCleanup(ctx, cfg.PruneInterval, log) })
	onetime := db.NewOneTime(bdb, db.DefaultSendLimits, nil)
	spentProofs := db.NewSpentProofs(bdb, nil)
	prunes := []pruneJob{
		{"spent proofs of work", spentProofs.Prune},
		{"guard ledger", ledger.Prune},
		{"audit events", func(ctx context.Context) (int64, error) {
			if cfg.AuditRetention == 0 {
				return 0, nil
			}
			return db.NewAudit(bdb, nil).Prune(ctx, time.Now().Add(-cfg.AuditRetention))
		}},
		{"one-time codes", func(ctx context.Context) (int64, error) { n, err := onetime.Prune(ctx); return int64(n), err }},
		{"pending signups", func(ctx context.Context) (int64, error) {
			n, err := db.NewSignups(bdb, onetime, nil, nil).Prune(ctx)
			return int64(n), err
		}},
	}
	bg.start("prunes", func(ctx context.Context) { runPrunes(ctx, cfg.PruneInterval, log, prunes...) })
	devices := auth.NewDevices(store, db.NewRefreshTokens(bdb), audit, nil, log) // sessions, and the token API's clients
	ring, kek, err := keyRing(ctx, cfg, bdb, log)
	if err != nil {
		return err
	}
	heldTokens, err := session.NewSealer(kek)
	if err != nil {
		return err
	}
	sessions := session.New(store, session.Options{
		Secure: cfg.Secure(), IdleTimeout: cfg.SessionIdleTimeout, Lifetime: cfg.SessionLifetime,
		RememberIdleTimeout: cfg.SessionRememberIdleTimeout, RememberLifetime: cfg.SessionRememberLifetime, Logger: log,
		PendingTTL: cfg.SecondFactorTTL, ProviderTTL: cfg.ProviderTTL, AppOf: web.SessionApp, Sealer: heldTokens,
	})
	proofs, err := proofsOfWork(cfg, kek, spentProofs)
	if err != nil {
		return err
	}
	// Tripped send budgets raise the proof-of-work difficulty.
	bg.start("proof-of-work level", func(ctx context.Context) { followLevel(ctx, gd, proofs) })
	parts, err := codeFlows(ctx, cfg, bdb, dsn, kek, hasher, blocklist, gd, audit, outboxMetrics(mx), log)
	if err != nil {
		return err
	}
	var signInNotices *auth.SignInNotices
	if parts.notices != nil {
		signInNotices = auth.NewSignInNotices(db.NewUsers(bdb), parts.notices,
			web.SignInMessages{Brand: mailBrand(cfg), Origin: cfg.Origin()}, gd, nil, log)
	}
	opts := auth.Options{Logger: log, Guard: gd, Blocklist: blocklist}
	if signInNotices != nil {
		opts.Restored = signInNotices
	}
	accounts := auth.NewService(db.NewUsers(bdb), hasher, audit, opts)
	codes, worker := parts.codes, parts.worker
	var codeVerifier auth.CodeVerifier
	var codeRequester web.CodeRequester
	var emailVerifier web.EmailVerifier
	var signups web.SignupFlows
	if codes != nil {
		codeVerifier, codeRequester, emailVerifier = codes, codes, codes
		// With email delivery, signup proves the address before any
		// account exists; without it, signup creates the account at once.
		signups = auth.NewSignups(accounts, codes, db.NewSignups(bdb, onetime, parts.queue, nil), web.CodeMessages{Brand: mailBrand(cfg), Origin: cfg.Origin()})
	}
	var phones web.PhoneFlows
	if parts.phones != nil {
		phones = parts.phones
	}
	var passwords web.PasswordFlows
	if parts.passwords != nil {
		passwords = parts.passwords
	}
	if worker != nil {
		defer parts.pool.Close()
		if mx != nil {
			pool := parts.pool
			if err := mx.Register(metrics.PgxPool("outbox", func() metrics.PoolStats { return pool.Stat() })); err != nil {
				return err
			}
		}
		if err := worker.Start(ctx); err != nil {
			return err
		}
		defer func() {
			stopCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := worker.Stop(stopCtx); err != nil {
				log.Warn("outbox worker stop", "err", err)
			}
		}()
	}
	second, err := twoFactor(cfg, bdb, kek, audit, parts.notices, gd, log)
	if err != nil {
		return err
	}
	// Passkeys, bound to the configured relying party (LATCH_WEBAUTHN_*).
	passkeys, err := auth.NewPasskeys(auth.RelyingParty{ID: cfg.WebAuthnRPID, Name: cfg.Brand.Name, Origins: cfg.WebAuthnOrigins},
		db.NewUsers(bdb), db.NewPasskeys(bdb), audit, auth.PasskeyOptions{
			Guard: gd, Notifier: parts.notices, Messages: web.PasskeyMessages{Brand: mailBrand(cfg)}, Logger: log,
			ResetHold: cfg.RecoveryWait, RelyingPartyOf: web.AppRelyingParty,
		})
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	var recovery web.RecoveryFlows
	if parts.recoveries != nil {
		// Delayed recovery starts from a verified phone (with SMS delivery)
		// or a recovery code of two-step verification.
		recovery = auth.NewRecovery(parts.recoveries, db.NewUsers(bdb), parts.phones, second,
			web.RecoveryMessages{Brand: mailBrand(cfg), Origin: cfg.Origin()}, hasher, audit,
			auth.RecoveryOptions{Wait: cfg.RecoveryWait, Blocklist: blocklist, Guard: gd, SecondFactors: second})
	}
	tokens, refreshTokens, err := tokenFlows(cfg, bdb, ring, kek, accounts, audit, codeVerifier, second, log)
	if err != nil {
		return err
	}
	// A rotation by one instance reaches all within LATCH_KEY_RELOAD_INTERVAL.
	bg.start("signing key reload", func(ctx context.Context) { ring.RunReload(ctx, cfg.KeyReloadInterval) })
	bg.start("refresh token cleanup", func(ctx context.Context) { refreshTokens.RunCleanup(ctx, cfg.PruneInterval, cfg.RefreshGrace, log) })

	settings := settingsFlows(cfg, bdb, parts, hasher, gd, log)
	deviceKey, err := hkdf.Key(sha256.New, kek, nil, "latch device cookies", 32)
	if err != nil {
		return err
	}
	bg.start("account purge", func(ctx context.Context) { settings.RunPurge(ctx, cfg.PurgeInterval) })

	providers, identityProviders, err := providerFlows(cfg, bdb, kek, gd, second, signInNotices, audit, log)
	if err != nil {
		return err
	}

	// Roles and the admin console: permissions are read from the
	// database on every check, so a revoked role ends at once.
	roleService := roles.New(db.NewRoles(bdb), db.NewAudit(bdb, nil), log)
	consoleDeps := admin.Deps{Store: db.NewAdmin(bdb), Accounts: accounts, Deleter: settings, Devices: devices,
		Roles: roleService, Audit: db.NewAudit(bdb, nil), Authenticators: second, Apps: db.NewAppChanges(bdb)}
	if codes != nil {
		consoleDeps.Verifier = codes
	}
	if parts.queue != nil {
		consoleDeps.Outbox = parts.queue
	}
	consoleDeps.PasswordResets = parts.passwords != nil
	deps := web.Deps{
		Roles: roleService, Admin: admin.New(consoleDeps), AdminSeparate: cfg.AdminAddr != "",
		Accounts: accounts, Devices: devices, Sessions: sessions, Assets: assets, DB: bdb, Logger: log,
		AppID: appID, Brand: cfg.Brand, Dev: cfg.Env == config.EnvDev, Secure: cfg.Secure(), PublicOrigin: cfg.Origin(), TrustProxyHeaders: cfg.TrustProxyHeaders,
		Tokens: tokens, KeySet: ring, Codes: codeRequester, DevMailbox: devMailbox(cfg, bdb),
		Verifier: emailVerifier, Signups: signups, SecondFactors: second, TwoFactor: second, Recovery: recovery, Proofs: proofs,
		Phones: phones, PhoneRegions: pages.Regions{Default: cfg.PhoneDefaultRegion, Allowed: cfg.PhoneRegions},
		Passwords: passwords, Passkeys: passkeys,
		Settings: settings, Reauthenticators: web.Reauthenticators{web.AppCodeReauth{TwoFactor: second}},
		DeviceKey: deviceKey, SignInNotices: signInNoticesDep(signInNotices),
		Providers: providers, IdentityProviders: identityProviders,
		ReauthWindow: cfg.ReauthWindow, CORSOrigins: cfg.CORSOrigins,
		Locales: db.NewLocales(bdb), DefaultLang: cfg.DefaultLang,
	}
	// Each request's app, by its host (`latch apps`); other hosts get
	// LATCH_APP's. A new app is seen within a minute.
	resolver, err := apps.NewResolver(ctx, db.NewApps(bdb), cfg.App, cfg.Origin(), time.Minute, log)
	if err != nil {
		return err
	}
	deps.Apps, deps.TrustForwardedHost = resolver, cfg.TrustForwardedHost
	if mx != nil {
		deps.Metrics = mx
		deps.MetricsHandler, deps.MetricsToken = mx.Handler(), cfg.MetricsToken
	}
	srv := web.New(deps)
	hs := web.HTTPServer(cfg.Addr, trackHashing(hasher, srv.Handler()), log)
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	log.Info("latch listening", "addr", ln.Addr().String(), "public_url", cfg.Origin(), "env", cfg.Env)
	if cfg.Env == config.EnvDev {
		devNotice(stderr, cfg)
	}

	servers := []*http.Server{hs}
	errc := make(chan error, 2)
	go func() { errc <- hs.Serve(ln) }()
	if cfg.AdminAddr != "" {
		// The admin console on its own listener (and, later, /metrics
		// through srv.HandleAdmin): never on the public one.
		as := web.HTTPServer(cfg.AdminAddr, trackHashing(hasher, srv.AdminHandler()), log)
		aln, err := net.Listen("tcp", cfg.AdminAddr)
		if err != nil {
			_ = hs.Close()
			return fmt.Errorf("listen on %s: %w", cfg.AdminAddr, err)
		}
		log.Info("latch admin listening", "addr", aln.Addr().String())
		servers = append(servers, as)
		go func() { errc <- as.Serve(aln) }()
	}
	select {
	case err := <-errc:
		for _, s := range servers {
			_ = s.Close()
		}
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, s := range servers {
		if err := s.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("shutdown: %w", err)
		}
	}
	log.Info("latch stopped")
	return nil
}

// signInNoticesDep is n as the web layer's optional dependency: nil stays
// an untyped nil, so the handlers see that no notices are sent.
func signInNoticesDep(n *auth.SignInNotices) web.SignInNotices {
	if n == nil {
		return nil
	}
	return n
}

// memoryLimit is the Go runtime's soft memory limit when GOMEMLIMIT
// (which the runtime reads itself) is not set: a base for everything else
// plus twice the memory of every hash that may run at once. Each hash
// allocates its memory afresh, so without a limit a login storm lets the
// heap grow to twice what is live before the collector runs; with it, the
// collector frees finished hashes' memory in time and peak memory stays
// bounded by the hashing slots, not by the collector's pacing.
func memoryLimit(env string, p password.Params, slots int) (int64, bool) {
	if env != "" {
		return 0, false
	}
	const base = 32 << 20
	return base + 2*int64(slots)*int64(p.MemoryKiB)<<10, true
}

// trackHashing tracks every request for the password hasher, so hashing
// keeps to its share of the cores while page views, token checks and the
// like are served, and uses them all when only logins are.
func trackHashing(h *password.Hasher, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, done := h.Track(r.Context())
		defer done()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// appOf is the id of the request's app in ctx (apps.FromContext), for
// the parts that count per app.
func appOf(ctx context.Context) (uuid.UUID, bool) {
	a, ok := apps.FromContext(ctx)
	return a.ID, ok
}
