package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

const usage = `adwatch finds ads that show human-trafficking risk indicators, for outreach.

Usage:
  adwatch run      [flags]   crawl, score, index and serve in one process (embedded NATS and index)
  adwatch demo     [flags]   the same, plus simulated ad sites on loopback to crawl
  adwatch crawl|classify|index|serve --nats URL [--es URL] [flags]
                             one stage as its own process, at scale
  adwatch reindex  [--nats URL] [--es URL] [--fresh]
                             rebuild the index from the scored-ad stream
  adwatch rescore  [--nats URL] [--rules DIR]
                             score every stored ad again after a rule change
  adwatch crawl    --site FILE --once --out ads.jsonl
                             crawl one site once without NATS, writing raw ads as JSON lines
  adwatch classify --in ads.jsonl --out scored.jsonl
                             score a file of ads without NATS
  adwatch rules test [--rules DIR]
                             run the example ads written in the rule files
  adwatch rules explain [--rules DIR] [FILE]
                             score one ad (text or JSON, from FILE or stdin) and show why
  adwatch eval --in FILE     precision, recall and F1 per indicator on labelled ads
  adwatch sites check [--sites DIR]
                             validate every site config
  adwatch sites test SITE [--url AD_URL]
                             fetch a listing page and one ad and show what each field extracts
  adwatch version

Run 'adwatch COMMAND -h' for a command's flags.
`

// exit codes
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

// runCLI runs one adwatch command and returns its exit code.
func runCLI(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cmd, rest := args[0], args[1:]
	var err error
	switch cmd {
	case "run":
		err = cmdRun(ctx, rest, stderr, false)
	case "demo":
		err = cmdRun(ctx, rest, stderr, true)
	case "crawl":
		if hasFlag(rest, "once") {
			err = cmdCrawl(ctx, rest, stdout, stderr)
		} else {
			err = cmdStage(ctx, cmd, rest, stderr)
		}
	case "classify":
		if hasFlag(rest, "in") {
			err = cmdClassify(rest, stdout, stderr)
		} else {
			err = cmdStage(ctx, cmd, rest, stderr)
		}
	case "index", "serve":
		err = cmdStage(ctx, cmd, rest, stderr)
	case "reindex":
		err = cmdReindex(ctx, rest, stderr)
	case "rescore":
		err = cmdRescore(ctx, rest, stderr)
	case "rules":
		if len(rest) > 0 && rest[0] == "explain" {
			err = cmdRulesExplain(rest[1:], os.Stdin, stdout, stderr)
		} else {
			err = cmdRules(rest, stdout, stderr)
		}
	case "eval":
		err = cmdEval(rest, stdout, stderr)
	case "sites":
		err = cmdSites(ctx, rest, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "adwatch", version)
		return exitOK
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	default:
		fmt.Fprintf(stderr, "adwatch: unknown command %q\n\n%s", cmd, usage)
		return exitUsage
	}
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.As(err, new(usageError)):
		fmt.Fprintf(stderr, "adwatch %s: %v\n", cmd, err)
		return exitUsage
	default:
		fmt.Fprintf(stderr, "adwatch %s: %v\n", cmd, err)
		return exitError
	}
}

const version = "0.1.0"

// usageError is a mistake in the command line.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("adwatch "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// parse parses flags and refuses stray arguments.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	return nil
}

// newLogger logs to w at level ("debug", "info", "warn", "error"). Ad text and
// phone numbers are never logged at info or above.
func newLogger(w io.Writer, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, usagef("--log-level %q: want debug, info, warn or error", level)
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l})), nil
}

// hasFlag reports whether args set the flag name (-name, --name, -name=x).
func hasFlag(args []string, name string) bool {
	for _, a := range args {
		a = strings.TrimLeft(a, "-")
		if a == name || strings.HasPrefix(a, name+"=") {
			return true
		}
	}
	return false
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
