package devdb

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// ErrUsage is wrapped by the errors Run returns for a bad command line.
var ErrUsage = errors.New("usage: devdb start|stop|url [-dir DIR]")

// Run is the devdb command line:
//
//	devdb start   start the cluster (creating it if needed) and print its DSN
//	devdb stop    stop the cluster
//	devdb url     print the DSN of the running cluster
//
// The flag -dir (before or after the subcommand) names the data folder; it
// defaults to <project root>/.data/postgres, the project root being the
// folder holding go.mod above the working directory. Only the DSN goes to
// stdout; progress goes to standard error.
//
// Run returns an error wrapping ErrUsage for a missing or unknown
// subcommand or a bad flag, an error if -dir is not given and no go.mod is
// found, and otherwise the errors of Cluster.Start, Stop and URL.
func Run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("devdb", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	dir := fs.String("dir", "", "data folder (default <project root>/.data/postgres)")
	if err := fs.Parse(args); err != nil {
		return usageError(err)
	}
	if fs.NArg() == 0 {
		return usageError(errors.New("missing subcommand"))
	}
	sub := fs.Arg(0)
	if err := fs.Parse(fs.Args()[1:]); err != nil {
		return usageError(err)
	}
	if fs.NArg() > 0 {
		return usageError(fmt.Errorf("unexpected argument %q", fs.Arg(0)))
	}
	switch sub {
	case "start", "stop", "url":
	case "help":
		fmt.Fprintln(stdout, ErrUsage.Error())
		return nil
	default:
		return usageError(fmt.Errorf("unknown subcommand %q", sub))
	}

	if *dir == "" {
		wd, err := os.Getwd()
		if err != nil {
			return fmt.Errorf("devdb: %w", err)
		}
		root, err := ProjectRoot(wd)
		if err != nil {
			return fmt.Errorf("%w; pass -dir", err)
		}
		*dir = filepath.Join(root, ".data", "postgres")
	}
	c := &Cluster{Dir: *dir, Out: os.Stderr}

	switch sub {
	case "start":
		dsn, err := c.Start(ctx)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(stdout, dsn)
		return err
	case "stop":
		return c.Stop(ctx)
	default: // url
		dsn, err := c.URL()
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(stdout, dsn)
		return err
	}
}

func usageError(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return ErrUsage
	}
	return fmt.Errorf("devdb: %v\n%w", err, ErrUsage)
}

// ProjectRoot returns the nearest folder at or above start that holds a
// go.mod file. It fails if there is none up to the file system root.
func ProjectRoot(start string) (string, error) {
	dir, err := filepath.Abs(start)
	if err != nil {
		return "", fmt.Errorf("devdb: %w", err)
	}
	for {
		if fi, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil && !fi.IsDir() {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("devdb: no go.mod at or above %s", start)
		}
		dir = parent
	}
}
