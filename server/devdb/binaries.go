package devdb

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// binaries runs PostgreSQL's server programs from one installation.
type binaries struct {
	dir   string      // folder holding initdb and pg_ctl
	major int         // major version, e.g. 15
	runAs *systemUser // the postgres user when running as root, else nil
}

// systemUser is the account PostgreSQL runs as when devdb runs as root:
// initdb and pg_ctl refuse to run as root.
type systemUser struct {
	uid, gid int
	runuser  string // path of runuser(1)
}

// notFoundError reports that no PostgreSQL installation was found.
type notFoundError struct{ msg string }

func (e *notFoundError) Error() string { return e.msg }

// findOrInstall finds PostgreSQL's server programs for the cluster in
// dataDir, installing them first with apt-get when they are missing and
// devdb runs as root on Debian or Ubuntu.
func findOrInstall(ctx context.Context, dataDir string, out io.Writer) (*binaries, error) {
	b, err := findBinaries(dataDir)
	var nf *notFoundError
	if !errors.As(err, &nf) || !canInstall() {
		return b, err
	}
	if err := aptInstall(ctx, out); err != nil {
		return nil, err
	}
	return findBinaries(dataDir)
}

// findBinaries picks the installation to run the cluster in dataDir with:
// one of the cluster's major version if it exists, else the one on PATH,
// else the highest version installed.
func findBinaries(dataDir string) (*binaries, error) {
	want := clusterVersion(dataDir)
	found := installations()
	if len(found) == 0 {
		return nil, missingBinaries(runtime.GOOS, fileExists)
	}
	pick := found[0]
	if want > 0 {
		i := slices.IndexFunc(found, func(b binaries) bool { return b.major == want })
		if i < 0 {
			have := make([]string, len(found))
			for j, b := range found {
				have[j] = strconv.Itoa(b.major)
			}
			return nil, fmt.Errorf("devdb: the cluster in %s was created by PostgreSQL %d, but only PostgreSQL %s is installed; "+
				"install PostgreSQL %d, or remove %s to create a new cluster (its data is lost)",
				dataDir, want, strings.Join(have, ", "), want, dataDir)
		}
		pick = found[i]
	}
	if os.Geteuid() == 0 {
		u, err := postgresUser()
		if err != nil {
			return nil, err
		}
		pick.runAs = u
	}
	return &pick, nil
}

// installations lists the PostgreSQL installations found: the one on PATH
// first, then the others from the highest version down.
func installations() []binaries {
	var dirs []string
	pathDir := ""
	if p, err := exec.LookPath("initdb"); err == nil {
		pathDir = filepath.Dir(p)
		dirs = append(dirs, pathDir)
	}
	patterns := []string{"/usr/lib/postgresql/*/bin", "/usr/pgsql-*/bin"}
	if runtime.GOOS == "darwin" {
		patterns = append(patterns,
			"/opt/homebrew/opt/postgresql@*/bin", "/usr/local/opt/postgresql@*/bin",
			"/opt/homebrew/opt/postgresql/bin", "/usr/local/opt/postgresql/bin",
			"/Applications/Postgres.app/Contents/Versions/*/bin")
	}
	for _, p := range patterns {
		m, _ := filepath.Glob(p) // the patterns are valid
		dirs = append(dirs, m...)
	}

	var found []binaries
	seen := map[string]bool{}
	for _, d := range dirs {
		ctl := filepath.Join(d, "pg_ctl")
		if !isExecutable(ctl) || !isExecutable(filepath.Join(d, "initdb")) {
			continue
		}
		real, err := filepath.EvalSymlinks(ctl)
		if err != nil || seen[real] {
			continue
		}
		seen[real] = true
		if major := programVersion(ctl); major > 0 {
			found = append(found, binaries{dir: d, major: major})
		}
	}
	rest := found
	if len(found) > 0 && found[0].dir == pathDir {
		rest = found[1:]
	}
	slices.SortStableFunc(rest, func(a, b binaries) int { return b.major - a.major })
	return found
}

var versionRE = regexp.MustCompile(`\(PostgreSQL\) (\d+)`)

// programVersion is the major version pg_ctl reports, or 0.
func programVersion(pgctl string) int {
	out, err := exec.Command(pgctl, "--version").Output()
	if err != nil {
		return 0
	}
	m := versionRE.FindSubmatch(out)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}

// clusterVersion is the major version of the cluster in dir, or 0 if there
// is none.
func clusterVersion(dir string) int {
	b, err := os.ReadFile(filepath.Join(dir, "PG_VERSION"))
	if err != nil {
		return 0
	}
	major, _, _ := strings.Cut(strings.TrimSpace(string(b)), ".")
	n, _ := strconv.Atoi(major)
	return n
}

func postgresUser() (*systemUser, error) {
	u, err := user.Lookup(superuser)
	if err != nil {
		return nil, fmt.Errorf("devdb: running as root, but PostgreSQL refuses to run as root and there is no %q user to run it as; "+
			"create one (useradd --system --home /var/lib/postgresql %s), run as a normal user, or set DATABASE_URL", superuser, superuser)
	}
	uid, err1 := strconv.Atoi(u.Uid)
	gid, err2 := strconv.Atoi(u.Gid)
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("devdb: user %s has a non-numeric uid or gid", superuser)
	}
	ru, err := exec.LookPath("runuser")
	if err != nil {
		for _, p := range []string{"/usr/sbin/runuser", "/sbin/runuser"} {
			if isExecutable(p) {
				ru, err = p, nil
				break
			}
		}
	}
	if err != nil {
		return nil, errors.New("devdb: running as root needs runuser(1) (package util-linux) to run PostgreSQL as the postgres user")
	}
	return &systemUser{uid: uid, gid: gid, runuser: ru}, nil
}

// command prepares one of the installation's programs, run as the postgres
// user when devdb runs as root. It runs from / so that a working folder the
// postgres user cannot enter does not matter.
func (b *binaries) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	path := filepath.Join(b.dir, name)
	var cmd *exec.Cmd
	if b.runAs != nil {
		cmd = exec.CommandContext(ctx, b.runAs.runuser, append([]string{"-u", superuser, "--", path}, args...)...)
	} else {
		cmd = exec.CommandContext(ctx, path, args...)
	}
	cmd.Dir = "/"
	cmd.WaitDelay = 5 * time.Second
	detach(cmd)
	return cmd
}

// running reports whether the cluster in dir is running (pg_ctl status).
func (b *binaries) running(ctx context.Context, dir string) (bool, error) {
	out, err := b.command(ctx, "pg_ctl", "-D", dir, "status").CombinedOutput()
	switch code := exitCode(err); {
	case err == nil:
		return true, nil
	case code == 3: // not running
		return false, nil
	default:
		return false, fmt.Errorf("devdb: pg_ctl status: %w: %s", err, strings.TrimSpace(string(out)))
	}
}

// start starts the cluster in dir on 127.0.0.1:port and waits until it
// accepts connections. The Unix socket goes in dir too, unless its path
// would be too long for the OS, in which case there is none (clients use
// TCP).
func (b *binaries) start(ctx context.Context, dir string, port int, settings []string) error {
	sockets := dir
	if len(dir)+len("/.s.PGSQL.65535") > maxSocketPath() {
		sockets = ""
	}
	// pg_ctl hands -o to /bin/sh, so the folder is quoted for the shell.
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1", port, shellQuote(sockets))
	for _, kv := range settings {
		opts += " -c " + shellQuote(kv)
	}
	logPath := filepath.Join(dir, logFile)
	out, err := b.command(ctx, "pg_ctl", "-D", dir, "-l", logPath, "-o", opts, "-w", "start").CombinedOutput()
	if err != nil {
		log, _ := os.ReadFile(logPath)
		return fmt.Errorf("devdb: pg_ctl start: %w\n%s\nend of %s:\n%s", err, strings.TrimSpace(string(out)), logPath, tail(string(log), 20))
	}
	return nil
}

// own gives path to the postgres user when devdb runs as root.
func (b *binaries) own(path string) error {
	if b.runAs == nil {
		return nil
	}
	if err := os.Chown(path, b.runAs.uid, b.runAs.gid); err != nil {
		return fmt.Errorf("devdb: give %s to the %s user: %w", path, superuser, err)
	}
	return nil
}

func (b *binaries) writeFile(path string, data []byte) error {
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("devdb: %w", err)
	}
	return b.own(path)
}

// checkAccess makes sure the postgres user can use dir when devdb runs as
// root: it needs to traverse every parent folder. The error names the first
// folder in the way.
func (b *binaries) checkAccess(ctx context.Context, dir string) error {
	if b.runAs == nil {
		return nil
	}
	cmd := exec.CommandContext(ctx, b.runAs.runuser, "-u", superuser, "--", "test", "-x", dir, "-a", "-w", dir)
	cmd.Dir = "/"
	if cmd.Run() == nil {
		return nil
	}
	blocked := firstBlocked(dir, b.runAs.uid, b.runAs.gid)
	if blocked == "" {
		return fmt.Errorf("devdb: running as root, so PostgreSQL runs as the %s user, who cannot write to %s; "+
			"choose a -dir that user can reach, or set DATABASE_URL", superuser, dir)
	}
	return fmt.Errorf("devdb: running as root, so PostgreSQL runs as the %s user, who cannot enter %s (needed to reach %s); "+
		"run `chmod o+x %s`, choose a -dir that user can reach, or set DATABASE_URL to an existing server",
		superuser, blocked, dir, blocked)
}

// firstBlocked walks from / down to dir's parent and returns the first
// folder that the given user cannot traverse, or "" if none.
func firstBlocked(dir string, uid, gid int) string {
	var chain []string
	for p := filepath.Dir(dir); ; p = filepath.Dir(p) {
		chain = append(chain, p)
		if p == filepath.Dir(p) {
			break
		}
	}
	for i := len(chain) - 1; i >= 0; i-- {
		owner, group, mode, ok := statOwner(chain[i])
		if !ok {
			continue
		}
		var bit os.FileMode = 0o001
		switch {
		case owner == uid:
			bit = 0o100
		case group == gid:
			bit = 0o010
		}
		if mode.Perm()&bit == 0 {
			return chain[i]
		}
	}
	return ""
}

func canInstall() bool {
	if os.Geteuid() != 0 || !fileExists("/etc/debian_version") {
		return false
	}
	_, err := exec.LookPath("apt-get")
	return err == nil
}

// aptInstall installs Debian's postgresql package, streaming apt's output.
func aptInstall(ctx context.Context, out io.Writer) error {
	fmt.Fprintln(out, "devdb: PostgreSQL is not installed; installing it with apt-get (this takes a minute)")
	for _, args := range [][]string{{"update"}, {"install", "-y", "postgresql"}} {
		cmd := exec.CommandContext(ctx, "apt-get", args...)
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("devdb: apt-get %s: %w", strings.Join(args, " "), err)
		}
	}
	return nil
}

// missingBinaries says what to install on this OS. exists reports whether
// a file exists; it tells Linux distributions apart.
func missingBinaries(goos string, exists func(string) bool) error {
	var how string
	switch {
	case goos == "darwin":
		how = "    brew install postgresql@17"
	case goos == "linux" && exists("/etc/debian_version"):
		how = "    sudo apt-get install postgresql"
	case goos == "linux" && (exists("/etc/fedora-release") || exists("/etc/redhat-release")):
		how = "    sudo dnf install postgresql-server"
	default:
		how = "    macOS:          brew install postgresql@17\n" +
			"    Debian/Ubuntu:  sudo apt-get install postgresql\n" +
			"    Fedora:         sudo dnf install postgresql-server"
	}
	return &notFoundError{msg: "devdb: PostgreSQL's server programs (initdb, pg_ctl) were not found on PATH " +
		"or in the usual install folders. Install them:\n" + how +
		"\nor set DATABASE_URL to an existing PostgreSQL server."}
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && !fi.IsDir() && fi.Mode().Perm()&0o111 != 0
}

// shellQuote quotes s as one /bin/sh word.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// maxSocketPath is the longest Unix socket path the OS accepts.
func maxSocketPath() int {
	if runtime.GOOS == "linux" {
		return 107
	}
	return 103
}
