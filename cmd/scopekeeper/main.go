package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/scopekeeper/scopekeeper/appclient"
	"github.com/scopekeeper/scopekeeper/internal/awsenv"
	"github.com/scopekeeper/scopekeeper/pace"
	"github.com/scopekeeper/scopekeeper/reconcile"
	"github.com/scopekeeper/scopekeeper/resourceserver"
)

// Exit codes.
const (
	exitOK      = 0
	exitError   = 1
	exitChanges = 2 // plan --detailed-exitcode: the plan has changes
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run runs the command with args (without the program name) and returns
// its exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return (&app{getenv: os.Getenv, isTerminal: isTerminal}).run(ctx, args, stdin, stdout, stderr)
}

// app is one run of the command.
type app struct {
	getenv     func(string) string
	isTerminal func(io.Reader) bool

	flags  awsenv.Settings
	output string

	stdin          io.Reader
	stdout, stderr io.Writer

	// set by connect
	pool string
	rs   *resourceserver.Client
	apps *appclient.Client
	rec  *reconcile.Reconciler
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

func (a *app) run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	a.stdin, a.stdout, a.stderr = stdin, stdout, stderr
	root := a.root()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	var ec *exitCodeError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ec):
		if ec.err != nil {
			fmt.Fprintf(stderr, "scopekeeper: %v\n", ec.err)
		}
		return ec.code
	}
	fmt.Fprintf(stderr, "scopekeeper: %v\n", err)
	return exitError
}

// connect builds the clients from the flags and SCOPEKEEPER_* variables.
// needPool says whether the command needs a user pool ID.
func (a *app) connect(ctx context.Context, needPool bool) error {
	s := awsenv.Resolve(a.flags, a.getenv)
	if needPool && s.PoolID == "" {
		return errors.New("no user pool: use --pool or set " + awsenv.EnvPoolID)
	}
	return a.connectTo(ctx, s)
}

func (a *app) connectTo(ctx context.Context, s awsenv.Settings) error {
	cfg, err := awsenv.Load(ctx, s, a.getenv)
	if err != nil {
		return err
	}
	api := cip.NewFromConfig(cfg)
	a.pool = s.PoolID
	// One Pacer for the three Clients: they call one pool, and two of them
	// read its resource servers, so they share its quotas.
	p, err := pace.New(pace.Config{})
	if err != nil {
		return err
	}
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

// isTerminal reports whether r is a terminal. A check of the file mode
// alone would take /dev/null, also a character device, for one; x/term
// asks the terminal driver.
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// checkOutput validates --output.
func (a *app) checkOutput(*cobra.Command, []string) error {
	if a.output != "text" && a.output != "json" {
		return fmt.Errorf("--output %q: must be text or json", a.output)
	}
	return nil
}
