package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/alecthomas/kong"
)

// cli is the whole command line: one field per subcommand. Kong reads the
// struct tags; each command's type holds the settings it uses (and only
// those, so `pinglinks migrate -h` lists only migrate's flags), each a flag
// with its environment variable as fallback.
//
// To add a subcommand:
//  1. declare its type with its settings as tagged fields (embed the shared
//     groups it needs: databaseFlags, logFlags, serverFlags) and a method
//     `Run(g *globals) error` that does the work;
//  2. add a field here: `Name nameCmd `cmd:"" help:"what it does"“.
//
// A subcommand with subcommands of its own (like tenant) is a struct whose
// fields are commands. Settings shared by several commands go in a group
// type in settings.go.
type cli struct {
	Version kong.VersionFlag `help:"Print the version and the build's VCS revision, then exit."`

	Serve    serveCmd    `cmd:"" help:"Run the API, checkout and workers."`
	Migrate  migrateCmd  `cmd:"" help:"Bring the database schema up to date."`
	Tenant   tenantCmd   `cmd:"" help:"Manage tenants."`
	Backup   backupCmd   `cmd:"" help:"Copy a live SQLite database consistently into FILE."`
	Import   importCmd   `cmd:"" help:"Book bank files (BgMax, Nets OCR giro); prints a summary."`
	Operator operatorCmd `cmd:"" help:"The platform operator's actions."`
	Demo     demoCmd     `cmd:"" help:"The whole flow with a market-stall app, then try it by hand."`
	Bench    benchCmd    `cmd:"" help:"Load benchmark against a fresh server and a baseline."`
	Help     helpCmd     `cmd:"" help:"Show help for the program or for a command."`

	BenchBaseline benchBaselineCmd `cmd:"" name:"bench-baseline" hidden:"" help:"The load benchmark's baseline server (started by bench)."`
}

// globals is what every command's Run receives.
type globals struct {
	ctx            context.Context
	stdout, stderr io.Writer
}

// exitRequest is how kong's --help and --version end the program when run
// in-process: run recovers it and returns.
type exitRequest int

// usageError is a command line that could not be understood; main exits 2.
type usageError struct{ error }

func (e usageError) Unwrap() error { return e.error }

// run parses args and runs the command they name.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	var c cli
	parser, err := kong.New(&c,
		kong.Name("pinglinks"),
		kong.Description("Ping Payments Links: payment links, checkout, documents and callbacks in one process.\n\n"+
			"Every flag also reads the environment variable shown beside it."),
		kong.Writers(stdout, stderr),
		kong.Exit(func(code int) { panic(exitRequest(code)) }),
		kong.Vars{"version": versionString()},
		kong.ConfigureHelp(kong.HelpOptions{Compact: true}),
	)
	if err != nil {
		return err // a mistake in the struct tags above
	}
	defer func() {
		if r := recover(); r != nil {
			code, ok := r.(exitRequest)
			if !ok {
				panic(r)
			}
			if code != 0 {
				err = usageError{fmt.Errorf("exit status %d", code)}
			}
		}
	}()
	if len(args) == 0 {
		kctx, _ := kong.Trace(parser, nil)
		_ = kctx.PrintUsage(false)
		return usageError{errors.New("no command given")}
	}
	if err := checkCommand(parser, args[0]); err != nil {
		return err
	}
	kctx, err := parser.Parse(args)
	if err != nil {
		return usageError{unknownSubcommand(err)}
	}
	return kctx.Run(&globals{ctx: ctx, stdout: stdout, stderr: stderr})
}

// checkCommand refuses an unknown first word, suggesting the nearest command.
func checkCommand(parser *kong.Kong, word string) error {
	if strings.HasPrefix(word, "-") {
		return nil
	}
	var names []string
	for _, n := range parser.Model.Children {
		if n.Hidden {
			continue
		}
		names = append(names, n.Name)
		if n.Name == word || slices.Contains(n.Aliases, word) {
			return nil
		}
	}
	if word == "bench-baseline" {
		return nil
	}
	msg := fmt.Sprintf("unknown command %q", word)
	if near := nearest(word, names); near != "" {
		msg += fmt.Sprintf(", did you mean %q?", near)
	} else {
		msg += " (commands: " + strings.Join(names, ", ") + ")"
	}
	return usageError{errors.New(msg + "\nrun \"pinglinks help\" for usage")}
}

// unknownSubcommand words kong's "unexpected argument X" as an unknown
// command when X stands where a subcommand was expected (tenant X).
func unknownSubcommand(err error) error {
	var pe *kong.ParseError
	if !errors.As(err, &pe) || pe.Context == nil || !strings.HasPrefix(err.Error(), "unexpected argument ") {
		return err
	}
	node := pe.Context.Model.Node
	for _, p := range pe.Context.Path {
		if p.Command != nil {
			node = p.Command
		}
	}
	var names []string
	for _, n := range node.Children {
		if n.Type == kong.CommandNode && !n.Hidden {
			names = append(names, n.Name)
		}
	}
	if len(names) == 0 {
		return err
	}
	word, _, _ := strings.Cut(strings.TrimPrefix(err.Error(), "unexpected argument "), ",")
	msg := fmt.Sprintf("unknown command %q", node.Path()+" "+word)
	if near := nearest(word, names); near != "" {
		return fmt.Errorf("%s, did you mean %q?", msg, node.Path()+" "+near)
	}
	return fmt.Errorf("%s (commands: %s)", msg, strings.Join(names, ", "))
}

// nearest is the name closest to word by edit distance, if close enough to
// be a typo (at most a third of the longer word, and at least 1), or a name
// word is a prefix of.
func nearest(word string, names []string) string {
	best, bestDist := "", -1
	for _, n := range names {
		if strings.HasPrefix(n, word) {
			return n
		}
		d := editDistance(word, n)
		if bestDist < 0 || d < bestDist {
			best, bestDist = n, d
		}
	}
	if bestDist <= max(1, max(len(word), len(best))/3) {
		return best
	}
	return ""
}

// editDistance is the Levenshtein distance between a and b (bytes).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// helpCmd is `pinglinks help [COMMAND…]`, the same as `pinglinks [COMMAND…] --help`.
type helpCmd struct {
	Command []string `arg:"" optional:"" help:"The command to explain."`
}

func (h *helpCmd) Run(kctx *kong.Context) error {
	if len(h.Command) > 0 {
		if err := checkCommand(kctx.Kong, h.Command[0]); err != nil {
			return err
		}
	}
	// --help prints and "exits" (an exitRequest panic that run recovers).
	_, err := kctx.Kong.Parse(append(slices.Clone(h.Command), "--help"))
	return err
}

// versionString is the module version and the VCS revision the binary was
// built from, as the Go toolchain recorded them.
func versionString() string { return versionOf(debug.ReadBuildInfo()) }

func versionOf(bi *debug.BuildInfo, ok bool) string {
	version, revision, when, modified := "(devel)", "", "", false
	if ok {
		if bi.Main.Version != "" {
			version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				revision = s.Value
			case "vcs.time":
				when = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	s := "pinglinks " + version
	if revision == "" {
		return s + " (no VCS revision recorded: built with -buildvcs=false or outside a git checkout)"
	}
	s += " (revision " + revision
	if when != "" {
		s += ", " + when
	}
	if modified {
		s += ", with uncommitted changes"
	}
	return s + ")"
}

// newLogger makes the structured logger the log flags ask for.
func (l logFlags) newLogger(w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: l.level()}
	if l.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func (l logFlags) level() slog.Level {
	var lv slog.Level
	_ = lv.UnmarshalText([]byte(l.LogLevel)) // kong's enum has checked it
	return lv
}
