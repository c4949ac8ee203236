package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/scopekeeper/scopekeeper/appclient"
	"github.com/scopekeeper/scopekeeper/internal/awsenv"
	"github.com/scopekeeper/scopekeeper/pace"
	"github.com/scopekeeper/scopekeeper/reconcile"
	"github.com/scopekeeper/scopekeeper/resourceserver"
	"github.com/scopekeeper/scopekeeper/validate"
)

// Exit codes, documented in doc.go and the README.
const (
	exitOK      = 0
	exitError   = 1
	exitChanges = 2 // plan/audit --detailed-exitcode: the plan has changes, the audit findings
	exitRefused = 3 // plan --detailed-exitcode: the plan has changes that apply refuses unless allowed
)

func main() {
	ctx, stop := notifyContext(context.Background(), os.Stderr, os.Exit)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// signalError is the cause of a run's context ended by a signal.
type signalError struct{ sig os.Signal }

func (e *signalError) Error() string { return "interrupted by " + e.sig.String() }

// code is the exit code of a run ended by the signal: 128 plus its
// number, as shells report it (130 for SIGINT, 143 for SIGTERM).
func (e *signalError) code() int {
	if s, ok := e.sig.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return 128 + int(syscall.SIGINT)
}

// notifyContext returns a context that the first SIGINT or SIGTERM ends,
// with a *signalError as its cause: apply then starts no new write, lets
// those in flight finish and reports. A second signal calls exit at once
// with the signal's code. stop stops listening.
func notifyContext(parent context.Context, stderr io.Writer, exit func(int)) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancelCause(parent)
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		var first os.Signal
		select {
		case first = <-sigs:
		case <-done:
			return
		}
		cancel(&signalError{first})
		fmt.Fprintf(stderr, "\nscopekeeper: %v: stopping; no new write starts, the writes in flight finish (up to %v) and are reported. Send it again to exit at once.\n",
			first, reconcile.DefaultGrace)
		select {
		case s := <-sigs:
			fmt.Fprintf(stderr, "scopekeeper: %v again: exiting at once; writes in flight may land unreported\n", s)
			exit((&signalError{s}).code())
		case <-done:
		}
	}()
	var once sync.Once
	return ctx, func() {
		once.Do(func() {
			signal.Stop(sigs)
			close(done)
			cancel(nil)
		})
	}
}

// run runs the command with args (without the program name) and returns
// its exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return (&app{getenv: os.Getenv, isTerminal: isTerminal}).run(ctx, args, stdin, stdout, stderr)
}

// app is one run of the command.
type app struct {
	getenv func(string) string
	// isTerminal reports whether standard input, output or error (an
	// io.Reader or io.Writer) is a terminal.
	isTerminal func(any) bool

	flags  awsenv.Settings
	output string
	quiet  bool // --quiet: no progress on standard error

	// lastBar is the progress bar drawn last (see newBar).
	barMu   sync.Mutex
	lastBar *bar

	stdin          io.Reader
	stdout, stderr io.Writer

	// running is set when a command's RunE starts: an error before it
	// (a flag, an argument) is a usage error.
	running bool

	// httpClient, when set, replaces the SDK's HTTP client: the tests'
	// in-process emulator.
	httpClient aws.HTTPClient

	// set by connect
	pool  string
	pacer *pace.Pacer
	rs    *resourceserver.Client
	apps  *appclient.Client
	rec   *reconcile.Reconciler
}

// exitCodeError ends the command with a code other than 1, or with 1
// after the command printed its own message.
type exitCodeError struct {
	code int
	err  error // nil: nothing more to print
}

func (e *exitCodeError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

// usageError is a wrong flag or argument found by a command itself;
// the command's --help is named after it.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// usagef returns a *usageError.
func usagef(format string, args ...any) error {
	return &usageError{fmt.Errorf(format, args...)}
}

func (a *app) run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	a.stdin, a.stdout, a.stderr = stdin, stdout, stderr
	root := a.root()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	cmd, err := root.ExecuteContextC(ctx)
	var ec *exitCodeError
	var ue *usageError
	var se *signalError
	switch {
	case err == nil:
		return exitOK
	case errors.As(context.Cause(ctx), &se):
		// Interrupted: the command said what it did (apply prints its
		// summary before it returns).
		if !errors.As(err, &ec) || ec.err != nil {
			fmt.Fprintf(stderr, "scopekeeper: %v\n", err)
		}
		return se.code()
	case errors.As(err, &ec):
		if ec.err != nil {
			fmt.Fprintf(stderr, "scopekeeper: %v\n", ec.err)
		}
		return ec.code
	case !a.running || errors.As(err, &ue):
		// cobra's own errors (a flag, an argument, a flag group, a
		// command) come before RunE; the command's come as a usageError.
		fmt.Fprintf(stderr, "scopekeeper: %v\nRun '%s --help' for usage.\n", err, cmd.CommandPath())
		return exitError
	}
	fmt.Fprintf(stderr, "scopekeeper: %v\n", err)
	return exitError
}

// connect builds the clients from the flags and SCOPEKEEPER_* variables.
// needPool says whether the command needs a user pool ID.
func (a *app) connect(ctx context.Context, needPool bool) error {
	s := awsenv.Resolve(a.flags, a.getenv)
	if needPool && s.PoolID == "" {
		return usagef("no user pool: use --pool or set %s", awsenv.EnvPoolID)
	}
	return a.connectTo(ctx, s)
}

// connectTo builds the clients for s. A pool ID is checked first: the
// region defaults to its prefix, so a malformed one would otherwise be
// reported as a missing region.
func (a *app) connectTo(ctx context.Context, s awsenv.Settings) error {
	if s.PoolID != "" {
		if err := validate.UserPoolID(s.PoolID); err != nil {
			return usagef("user pool %q (--pool or %s): not a user pool ID such as us-east-1_AbCdEf123, whose prefix is its region: %w",
				s.PoolID, awsenv.EnvPoolID, err)
		}
	}
	cfg, err := awsenv.Load(ctx, s, a.getenv)
	if err != nil {
		return err
	}
	if a.httpClient != nil {
		cfg.HTTPClient = a.httpClient
	}
	api := cip.NewFromConfig(cfg)
	a.pool = s.PoolID
	// One Pacer for the three Clients: they call one pool, and two of them
	// read its resource servers, so they share its quotas.
	p, err := pace.New(pace.Config{})
	if err != nil {
		return err
	}
	a.pacer = p
	a.apps = appclient.New(api, func(o *appclient.Options) { o.Pacer = p })
	// The verbs check app clients before a removal or a re-definition;
	// each verb chooses the policy (refuse by default).
	a.rs = resourceserver.New(api, func(o *resourceserver.Options) { o.Grants, o.Pacer = a.apps, p })
	a.rec = reconcile.New(api, a.apps, func(o *reconcile.Options) { o.Pacer = p })
	return nil
}

// settings returns the resolved settings without connecting.
func (a *app) settings() awsenv.Settings { return awsenv.Resolve(a.flags, a.getenv) }

// json reports whether the output is JSON.
func (a *app) json() bool { return a.output == "json" }

// writeJSON writes v as indented JSON.
func (a *app) writeJSON(v any) error {
	enc := json.NewEncoder(a.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// isTerminal reports whether f (standard input, output or error) is a
// terminal.
// A check of the file mode alone would take /dev/null, also a character
// device, for one; x/term asks the terminal driver.
func isTerminal(f any) bool {
	file, ok := f.(*os.File)
	return ok && term.IsTerminal(int(file.Fd()))
}

// color reports whether text output to standard output is colored: only
// on a terminal, and never when NO_COLOR is set to anything but "" (see
// https://no-color.org) or TERM is "dumb".
func (a *app) color() bool {
	return a.getenv("NO_COLOR") == "" && a.getenv("TERM") != "dumb" && a.isTerminal(a.stdout)
}

// checkOutput validates --output: text and json everywhere, markdown
// where the command has it.
func (a *app) checkOutput(cmd *cobra.Command, _ []string) error {
	switch a.output {
	case "text", "json":
		return nil
	case "markdown":
		if cmd.Annotations[annotationMarkdown] != "" {
			return nil
		}
		return usagef("--output markdown: %s has text or json only (markdown is for plan)", cmd.CommandPath())
	}
	return usagef("--output %q: must be text or json (or markdown, for plan)", a.output)
}

// annotationMarkdown marks a command that has --output markdown.
const annotationMarkdown = "scopekeeper/markdown"
