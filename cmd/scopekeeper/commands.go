package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/scopekeeper/scopekeeper/appclient"
	rserrors "github.com/scopekeeper/scopekeeper/errors"
	"github.com/scopekeeper/scopekeeper/internal/awsenv"
	"github.com/scopekeeper/scopekeeper/reconcile"
	"github.com/scopekeeper/scopekeeper/resourceserver"
	"github.com/scopekeeper/scopekeeper/validate"
)

func (a *app) root() *cobra.Command {
	root := &cobra.Command{
		Use:   "scopekeeper",
		Short: "Manage Amazon Cognito resource servers, scopes and grants without losing any",
		Long: `scopekeeper manages the resource servers, OAuth scopes and app-client grants of an
Amazon Cognito user pool: from a desired-state file (plan, apply, export) or one
change at a time (add-scope, remove-scope, rename, grant, revoke). Every write
sends the full state Cognito needs, is checked before it is sent, paced to the
pool's quota and verified; nothing is deleted or left dangling by surprise.

The user pool comes from --pool or SCOPEKEEPER_POOL_ID (or the file's userPoolId).
Credentials and region come from the standard AWS configuration chain
(AWS_* variables, shared config, SSO, roles), --profile and --region (or
SCOPEKEEPER_PROFILE, SCOPEKEEPER_REGION); without a region, the pool ID's prefix.
The endpoint comes from --endpoint, the SDK's own AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER,
or its alias SCOPEKEEPER_ENDPOINT: a local emulator, with dummy credentials
unless some are configured.

Long work (reading every app client, apply's steps) draws a progress bar on standard
error when it is a terminal: done of total, the rate and the time left at the pacer's
rate. --quiet draws none.

Exit codes: 0 success; 1 error; 2 plan or audit --detailed-exitcode found changes
or findings; 3 plan --detailed-exitcode found changes that apply refuses unless
--allow-dangling or --allow-regrant; 130 or 143 interrupted by SIGINT or SIGTERM.`,
		Example: `  scopekeeper --pool us-east-1_AbCdEf123 list
  scopekeeper plan -f scopes.yaml --out scopes.plan
  scopekeeper apply scopes.plan
  scopekeeper --endpoint http://127.0.0.1:9229 --pool us-east-1_Example1 export`,
		Version:           version(),
		SilenceUsage:      true,
		SilenceErrors:     true,
		PersistentPreRunE: a.checkOutput,
	}
	pf := root.PersistentFlags()
	pf.StringVar(&a.flags.PoolID, "pool", "", "user pool ID (default $"+awsenv.EnvPoolID+")")
	pf.StringVar(&a.flags.Region, "region", "", "AWS region (default $"+awsenv.EnvRegion+", the AWS configuration, or the pool ID's prefix)")
	pf.StringVar(&a.flags.Profile, "profile", "", "shared AWS config profile (default $"+awsenv.EnvProfile+" or $AWS_PROFILE)")
	pf.StringVar(&a.flags.Endpoint, "endpoint", "", "Cognito endpoint URL, such as a local emulator's (default $"+awsenv.EnvSDKEndpoint+" or $"+awsenv.EnvEndpoint+")")
	pf.StringVarP(&a.output, "output", "o", "text", "output format: text or json (plan: also markdown)")
	pf.BoolVarP(&a.quiet, "quiet", "q", false, "no progress on standard error (bars on a terminal, apply's line per step)")
	root.SetVersionTemplate("scopekeeper {{.Version}}\n")
	root.CompletionOptions.DisableDefaultCmd = true
	root.AddCommand(a.planCmd(), a.applyCmd(), a.validateCmd(), a.exportCmd(), a.auditCmd(), a.listCmd(), a.getCmd(),
		a.addScopeCmd(), a.removeScopeCmd(), a.renameCmd(), a.grantCmd(), a.revokeCmd(), a.whoAllowsCmd(), a.completionCmd(root))
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{err} })
	// An error before RunE is a usage error (see run).
	for _, c := range root.Commands() {
		if run := c.RunE; run != nil {
			c.RunE = func(cmd *cobra.Command, args []string) error {
				a.running = true
				cmd.SetContext(a.withScanProgress(cmd.Context()))
				defer a.endBar()
				return run(cmd, args)
			}
		}
	}
	return root
}

// readFile reads the desired-state file at path, or standard input for "-".
func (a *app) readFile(path string) (*reconcile.File, error) {
	if path != "-" {
		return reconcile.ReadFile(path)
	}
	// One byte more than the limit, so that Parse refuses a larger file.
	data, err := io.ReadAll(io.LimitReader(a.stdin, reconcile.MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	return reconcile.Parse("<stdin>", data)
}

// planFile reads a file and plans it. A file with problems that could
// still be read is planned too, so that the problems found against the
// pool come in the same report.
func (a *app) planFile(cmd *cobra.Command, path string, prune bool) (*reconcile.Plan, error) {
	f, err := a.readFile(path)
	if f == nil {
		return nil, err
	}
	s := a.settings()
	if s.PoolID == "" {
		s.PoolID = f.UserPoolID
	}
	if s.PoolID == "" {
		if err != nil {
			return nil, err
		}
		return nil, usagef("%s has no userPoolId: name the user pool with --pool or %s", f.Name, awsenv.EnvPoolID)
	}
	if cerr := a.connectTo(cmd.Context(), s); cerr != nil {
		if err != nil {
			return nil, err
		}
		return nil, cerr
	}
	return a.rec.Plan(cmd.Context(), f, reconcile.PlanOptions{UserPoolID: a.flagsPool(), Prune: prune})
}

// flagsPool is the pool named by --pool or SCOPEKEEPER_POOL_ID, "" if none.
func (a *app) flagsPool() string { return a.settings().PoolID }

// printPlan prints p as text (colored on a terminal), JSON or markdown.
func (a *app) printPlan(p *reconcile.Plan, allowed reconcile.ApplyOptions) error {
	switch a.output {
	case "json":
		return a.writeJSON(p)
	case "markdown":
		return writeMarkdown(a.stdout, p, allowed)
	}
	return a.writeText(a.stdout, p)
}

// writeText writes p as text to w, colored when w is standard output on
// a terminal (see app.color).
func (a *app) writeText(w io.Writer, p *reconcile.Plan) error {
	if w != a.stdout || !a.color() {
		return p.WriteText(w)
	}
	return writeColored(w, p.String())
}

func (a *app) planCmd() *cobra.Command {
	var file, out string
	var prune, detailed bool
	var allowed reconcile.ApplyOptions
	c := &cobra.Command{
		Use:   "plan -f FILE",
		Short: "Show what apply would change to bring the user pool to a file",
		Long: `plan reads the desired-state file (YAML or JSON; "-" for standard input) and the user
pool, and prints what apply would do: "+" create, "~" change, "-" delete, a line per
scope, and "Plan: N to add, N to change, N to destroy.". It writes nothing. With
--output markdown it prints the plan for a pull-request comment.

It costs one ListResourceServers per 50 resource servers, and reads app clients only
when the file has grants or the plan removes or adds scopes (to find grants a removal
would leave dangling, or inactive grants an addition would make active again).
Resource servers the file does not list are left alone unless --prune.

--out saves the plan as JSON, for "scopekeeper apply PLANFILE" later; that apply
refuses the plan if the pool has changed since.

--detailed-exitcode: 0 no changes, 1 error, 2 changes, 3 changes that apply refuses
(a removal that leaves grants dangling, an addition that re-grants inactive scopes)
unless --allow-dangling or --allow-regrant, given here as they will be to apply.`,
		Example: `  scopekeeper plan -f scopes.yaml
  scopekeeper plan -f scopes.yaml --prune --out scopes.plan
  scopekeeper plan -f scopes.yaml -o markdown > plan.md
  scopekeeper plan -f scopes.yaml --detailed-exitcode; echo $?   # 0 none, 1 error, 2 changes, 3 refused`,
		Annotations: map[string]string{annotationMarkdown: "yes"},
		Args:        cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := a.planFile(cmd, file, prune)
			if err != nil {
				return err
			}
			if err := a.printPlan(p, allowed); err != nil {
				return err
			}
			if out != "" {
				b, err := p.MarshalJSON()
				if err != nil {
					return err
				}
				if err := os.WriteFile(out, append(b, '\n'), 0o644); err != nil {
					return err
				}
				if a.output == "text" {
					fmt.Fprintf(a.stderr, "Saved the plan to %s: apply it with \"scopekeeper apply %s\".\n", out, out)
				}
			}
			if !detailed || !p.HasChanges() {
				return nil
			}
			if err := p.Allowed(allowed); err != nil {
				return &exitCodeError{code: exitRefused, err: refused(err)}
			}
			return &exitCodeError{code: exitChanges}
		},
	}
	c.Flags().StringVarP(&file, "file", "f", "", "desired-state file, YAML or JSON (\"-\" for standard input)")
	c.Flags().BoolVar(&prune, "prune", false, "delete resource servers of the pool that the file does not list")
	c.Flags().BoolVar(&detailed, "detailed-exitcode", false, "exit 2 when the plan has changes, 3 when apply would refuse them (0 when none, 1 on error)")
	c.Flags().StringVar(&out, "out", "", "save the plan to this file, for apply PLANFILE")
	c.Flags().BoolVar(&allowed.AllowDangling, "allow-dangling", false, "with --detailed-exitcode: removals that leave scopes inactive on app clients will be allowed (exit 2, not 3)")
	c.Flags().BoolVar(&allowed.AllowRegrant, "allow-regrant", false, "with --detailed-exitcode: additions that make inactive grants active again will be allowed (exit 2, not 3)")
	_ = c.MarkFlagRequired("file")
	return c
}

func (a *app) applyCmd() *cobra.Command {
	var file string
	var prune, auto, cont bool
	var opts reconcile.ApplyOptions
	c := &cobra.Command{
		Use:   "apply (-f FILE | PLANFILE)",
		Short: "Bring the user pool to a file, or carry out a saved plan",
		Long: `apply -f FILE plans as "plan" does, prints the plan, asks for confirmation on a terminal
(--auto-approve skips it; without a terminal --auto-approve is required), and applies it.
apply PLANFILE carries out a plan saved by "plan --out" without asking, after checking
that the user pool has not changed since the plan was made (--prune belongs to the
plan then, and is refused here).

Apply revokes grants first, then creates, changes and deletes resource servers in
parallel within Cognito's quota (verified together with ListResourceServers), then
grants scopes. A plan that would leave grants dangling (a scope removed while app
clients allow it) or re-grant inactive scopes is refused unless --allow-dangling or
--allow-regrant. It stops at the first failure unless --continue-on-error; the
summary says what was done, what failed and what was not tried. Progress goes to
standard error, a line per step as it lands (none with --quiet or -o json), and on a
terminal a bar below them.

A saved plan is checked, not trusted: it is refused when made for another user pool,
region or endpoint, or when the pool changed since; its dangling grants and re-grants
are computed again from what apply reads.

The first SIGINT or SIGTERM starts no new write, gives the writes in flight 5 seconds
to land and be verified, reads back what landed, and prints the summary (done, written
but not verified, failed, not tried); the exit code is 130 (SIGINT) or 143 (SIGTERM).
A second signal exits at once, without a summary.`,
		Example: `  scopekeeper apply -f scopes.yaml
  scopekeeper apply -f scopes.yaml --prune --auto-approve
  scopekeeper plan -f scopes.yaml --out scopes.plan && scopekeeper apply scopes.plan`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var p *reconcile.Plan
			switch {
			case file != "" && len(args) > 0:
				return usagef("apply takes -f FILE or a PLANFILE, not both")
			case file == "" && len(args) == 0:
				return usagef("apply needs -f FILE or a PLANFILE")
			case file == "" && prune:
				return usagef("--prune belongs to the plan: a saved plan already says what it deletes (plan -f FILE --prune --out PLANFILE)")
			case file != "":
				var err error
				if p, err = a.planFile(cmd, file, prune); err != nil {
					return err
				}
				if err := a.writeText(a.stderrOrOut(), p); err != nil {
					return err
				}
				if !p.HasChanges() {
					return a.printResult(&reconcile.Result{UserPoolID: p.UserPoolID}, false)
				}
				if err := p.Allowed(opts); err != nil {
					return refused(err)
				}
				if !auto {
					if err := a.confirm(p); err != nil {
						return err
					}
				}
			default:
				var err error
				if p, err = a.readPlan(cmd, args[0]); err != nil {
					return err
				}
			}
			opts.ContinueOnError = cont
			a.printSteps(&opts, p)
			res, err := a.rec.Apply(cmd.Context(), p, opts)
			a.endBar() // before the summary, when the apply stopped short
			if res == nil {
				return refused(err)
			}
			if perr := a.printResult(res, cmd.Context().Err() != nil); perr != nil {
				return perr
			}
			if err != nil {
				return &exitCodeError{code: exitError, err: err}
			}
			return nil
		},
	}
	c.Flags().StringVarP(&file, "file", "f", "", "desired-state file, YAML or JSON (\"-\" for standard input)")
	c.Flags().BoolVar(&prune, "prune", false, "delete resource servers of the pool that the file does not list (with -f)")
	c.Flags().BoolVar(&auto, "auto-approve", false, "apply without asking for confirmation")
	c.Flags().BoolVar(&opts.AllowDangling, "allow-dangling", false, "apply removals that leave scopes inactive on app clients")
	c.Flags().BoolVar(&opts.AllowRegrant, "allow-regrant", false, "apply additions that make inactive grants active again")
	c.Flags().BoolVar(&cont, "continue-on-error", false, "go on after a failed step and try every step that does not depend on it")
	return c
}

// stepsOfGrants counts the app-client steps of p: a revoke and a grant
// per app client at most.
func stepsOfGrants(p *reconcile.Plan) int {
	n := 0
	for _, g := range p.Grants {
		if len(g.Revoke) > 0 {
			n++
		}
		if len(g.Grant) > 0 {
			n++
		}
	}
	return n
}

// refused adds to an *rserrors.GrantsError the flag that allows each
// kind of impact it holds.
func refused(err error) error {
	var ie *rserrors.GrantsError
	if !errors.As(err, &ie) {
		return err
	}
	var flags []string
	if len(ie.Dangling) > 0 {
		flags = append(flags, "--allow-dangling to leave the grants inactive")
	}
	if len(ie.Regrant) > 0 {
		flags = append(flags, "--allow-regrant to grant the scopes again")
	}
	return fmt.Errorf("%w (use %s)", err, strings.Join(flags, ", or "))
}

// stderrOrOut is where apply prints the plan: standard output for text,
// standard error when standard output carries JSON.
func (a *app) stderrOrOut() io.Writer {
	if a.json() {
		return a.stderr
	}
	return a.stdout
}

// readPlan reads a saved plan and connects to its pool.
func (a *app) readPlan(cmd *cobra.Command, path string) (*reconcile.Plan, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	p, err := reconcile.ReadPlan(bytes.NewReader(data))
	if err != nil {
		if isDesiredState(path, data) {
			return nil, usagef("%s is a desired-state file, not a saved plan: use \"scopekeeper apply -f %s\" (or plan -f %s --out PLANFILE first)", path, path, path)
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	s := a.settings()
	if s.PoolID != "" && s.PoolID != p.UserPoolID {
		return nil, fmt.Errorf("%s is a plan for user pool %s, not %s", path, p.UserPoolID, s.PoolID)
	}
	s.PoolID = p.UserPoolID
	if err := a.connectTo(cmd.Context(), s); err != nil {
		return nil, err
	}
	if !a.json() {
		if err := a.writeText(a.stdout, p); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// isDesiredState reports whether data, which is not a saved plan, is a
// desired-state file: one that parses as one, or one named .yaml or .yml.
func isDesiredState(path string, data []byte) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml":
		return true
	}
	_, err := reconcile.Parse(path, data)
	return err == nil
}

// confirm asks on a terminal whether to apply p; without a terminal it
// refuses.
func (a *app) confirm(p *reconcile.Plan) error {
	if !a.isTerminal(a.stdin) {
		return errors.New("standard input is not a terminal: use --auto-approve to apply without confirmation")
	}
	fmt.Fprintf(a.stderr, "\nApply these changes to user pool %s? Only 'yes' will be accepted: ", p.UserPoolID)
	line, err := bufio.NewReader(a.stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	if strings.TrimSpace(line) != "yes" {
		return errors.New("apply cancelled")
	}
	return nil
}

type resultJSON struct {
	UserPoolID  string           `json:"userPoolId"`
	Interrupted bool             `json:"interrupted,omitempty"`
	Steps       []stepResultJSON `json:"steps"`
	Summary     map[string]int   `json:"summary"`
}

type stepResultJSON struct {
	Kind    reconcile.StepKind `json:"kind"`
	Target  string             `json:"target"`
	Scopes  []string           `json:"scopes,omitempty"`
	Outcome reconcile.Outcome  `json:"outcome"`
	Error   string             `json:"error,omitempty"`
}

// printResult prints the outcome of every step (JSON) or a summary
// (text); interrupted says the apply was interrupted.
func (a *app) printResult(res *reconcile.Result, interrupted bool) error {
	done, failed, notTried, unverified := len(res.Done()), len(res.Failed()), len(res.NotTried()), len(res.Unverified())
	if a.json() {
		v := resultJSON{UserPoolID: res.UserPoolID, Steps: []stepResultJSON{}, Interrupted: interrupted,
			Summary: map[string]int{"done": done, "failed": failed, "notTried": notTried, "unverified": unverified}}
		for _, s := range res.Steps {
			j := stepResultJSON{Kind: s.Step.Kind, Target: s.Step.Target, Scopes: s.Step.Scopes, Outcome: s.Outcome}
			if s.Err != nil {
				j.Error = s.Err.Error()
			}
			v.Steps = append(v.Steps, j)
		}
		return a.writeJSON(v)
	}
	switch {
	case interrupted:
		_, err := fmt.Fprintf(a.stdout, "\nApply interrupted: %d done, %d written but not verified, %d failed, %d not tried.\n", done, unverified, failed, notTried)
		return err
	case failed == 0 && notTried == 0 && unverified == 0:
		_, err := fmt.Fprintf(a.stdout, "\nApply complete: %d done.\n", done)
		return err
	case unverified > 0:
		_, err := fmt.Fprintf(a.stdout, "\nApply incomplete: %d done, %d written but not verified, %d failed, %d not tried.\n", done, unverified, failed, notTried)
		return err
	}
	_, err := fmt.Fprintf(a.stdout, "\nApply incomplete: %d done, %d failed, %d not tried.\n", done, failed, notTried)
	return err
}

func (a *app) exportCmd() *cobra.Command {
	var apps, portable bool
	c := &cobra.Command{
		Use:   "export",
		Short: "Print the user pool as a desired-state file that plans to no changes",
		Long: `export prints every resource server of the user pool with its scopes, and (unless
--app-clients=false) every app client that allows a scope of the pool with those
scopes, in the file format plan and apply read: YAML, or JSON with --output json.
Planning the output against the same pool shows no changes.

--portable leaves out the userPoolId and names app clients by name rather than ID,
so one file serves several pools (dev, stage, prod), each named with --pool when
planning; their app clients must have the same names.

It costs one ListResourceServers per 50 resource servers and, with app clients, one
ListUserPoolClients per 60 app clients and one DescribeUserPoolClient per app client.`,
		Example: `  scopekeeper --pool us-east-1_AbCdEf123 export > scopes.yaml
  scopekeeper --pool us-east-1_AbCdEf123 export --app-clients=false -o json
  scopekeeper --pool us-east-1_Dev123 export --portable > scopes.yaml
  scopekeeper --pool us-east-1_Prod456 plan -f scopes.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := a.connect(cmd.Context(), true); err != nil {
				return err
			}
			export := a.rec.Export
			if portable {
				export = a.rec.ExportPortable
			}
			f, err := export(cmd.Context(), a.pool, apps)
			if err != nil {
				return err
			}
			if a.json() {
				b, err := f.MarshalJSON()
				if err != nil {
					return err
				}
				_, err = a.stdout.Write(append(b, '\n'))
				return err
			}
			return f.WriteYAML(a.stdout)
		},
	}
	c.Flags().BoolVar(&apps, "app-clients", true, "include the app clients' grants")
	c.Flags().BoolVar(&portable, "portable", false, "no userPoolId, app clients by name: one file for several pools")
	return c
}

// serverJSON is a resource server as the command prints it in JSON.
type serverJSON struct {
	Identifier string      `json:"identifier"`
	Name       string      `json:"name"`
	Scopes     []scopeJSON `json:"scopes"`
}

type scopeJSON struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

func toJSON(rs resourceserver.ResourceServer) serverJSON {
	out := serverJSON{Identifier: rs.Identifier, Name: rs.Name, Scopes: []scopeJSON{}}
	for _, s := range rs.Scopes {
		out.Scopes = append(out.Scopes, scopeJSON(s))
	}
	return out
}

// printServer prints one resource server: its identifier and name, then
// a line per scope.
func (a *app) printServer(rs resourceserver.ResourceServer) error {
	if a.json() {
		return a.writeJSON(toJSON(rs))
	}
	fmt.Fprintf(a.stdout, "%s %q\n", rs.Identifier, rs.Name)
	for _, s := range rs.Scopes {
		fmt.Fprintf(a.stdout, "  %s %q\n", s.Name, s.Description)
	}
	return nil
}

func (a *app) listCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the resource servers of the user pool",
		Long: `list prints every resource server of the user pool: identifier, name and number of
scopes (with --output json, every scope). It costs one ListResourceServers per 50
resource servers.`,
		Example: `  scopekeeper --pool us-east-1_AbCdEf123 list
  scopekeeper --pool us-east-1_AbCdEf123 list -o json | jq -r '.[].identifier'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := a.connect(cmd.Context(), true); err != nil {
				return err
			}
			var all []resourceserver.ResourceServer
			for rs, err := range a.rs.List(cmd.Context(), a.pool) {
				if err != nil {
					return err
				}
				all = append(all, rs)
			}
			if a.json() {
				out := []serverJSON{}
				for _, rs := range all {
					out = append(out, toJSON(rs))
				}
				return a.writeJSON(out)
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "IDENTIFIER\tNAME\tSCOPES")
			for _, rs := range all {
				fmt.Fprintf(tw, "%s\t%s\t%d\n", rs.Identifier, rs.Name, len(rs.Scopes))
			}
			return tw.Flush()
		},
	}
}

func (a *app) getCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "get IDENTIFIER",
		Short:   "Show one resource server and its scopes",
		Long:    `get prints a resource server's identifier, name and scopes. It costs one DescribeResourceServer.`,
		Example: `  scopekeeper --pool us-east-1_AbCdEf123 get https://orders.example.com`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := a.connect(cmd.Context(), true); err != nil {
				return err
			}
			rs, err := a.rs.Get(cmd.Context(), a.pool, args[0])
			if err != nil {
				return err
			}
			return a.printServer(rs)
		},
	}
}

func (a *app) addScopeCmd() *cobra.Command {
	var allowRegrant, cascade bool
	c := &cobra.Command{
		Use:   "add-scope IDENTIFIER NAME DESCRIPTION",
		Short: "Add a scope to a resource server, or describe it anew, keeping every other scope",
		Long: `add-scope adds one scope to a resource server and keeps every other scope; a scope of
that name already there gets the new description. If app clients still list the
scope as inactive (it was removed earlier), adding it would silently grant it to
them again: that is refused unless --allow-regrant (they get it again) or --cascade
(revoke it from them first).`,
		Example: `  scopekeeper --pool us-east-1_AbCdEf123 add-scope https://orders.example.com orders.write "Write orders"`,
		Args:    cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := a.connect(cmd.Context(), true); err != nil {
				return err
			}
			ch := resourceserver.Change{}.Add(resourceserver.Scope{Name: args[1], Description: args[2]}).WithGrantPolicy(policy(allowRegrant, cascade))
			rs, err := a.rs.Apply(cmd.Context(), a.pool, args[0], ch)
			if err != nil {
				return grantsHint(err, "--allow-regrant")
			}
			return a.printServer(rs)
		},
	}
	c.Flags().BoolVar(&allowRegrant, "allow-regrant", false, "add the scope even if app clients list it as inactive (they gain it again)")
	c.Flags().BoolVar(&cascade, "cascade", false, "revoke the scope from app clients that list it as inactive, then add it")
	c.MarkFlagsMutuallyExclusive("allow-regrant", "cascade")
	return c
}

// policy returns the grant policy of the flags: refuse by default, keep the
// grants when allowed, revoke them first with --cascade.
func policy(allow, cascade bool) resourceserver.GrantPolicy {
	switch {
	case cascade:
		return resourceserver.RevokeGrants
	case allow:
		return resourceserver.KeepGrants
	}
	return resourceserver.RefuseGrants
}

// grantsHint adds to a change refused because of app clients the flags
// that allow it.
func grantsHint(err error, allow string) error {
	var ge *rserrors.GrantsError
	if errors.As(err, &ge) {
		return fmt.Errorf("%w (use %s to keep the grants, or --cascade to revoke them first)", err, allow)
	}
	return err
}

func (a *app) removeScopeCmd() *cobra.Command {
	var allowDangling, cascade bool
	c := &cobra.Command{
		Use:   "remove-scope IDENTIFIER NAME...",
		Short: "Remove scopes from a resource server, keeping every other scope",
		Long: `remove-scope removes the named scopes from a resource server and keeps every other
scope. A scope that app clients allow would stay on them as an inactive scope (left
out of tokens, and granted again if a scope of that name is added later): that is
refused unless --cascade (revoke it from those app clients first) or --allow-dangling.
A scope the resource server does not define is an error, and nothing is written.`,
		Example: `  scopekeeper --pool us-east-1_AbCdEf123 remove-scope https://orders.example.com orders.admin
  scopekeeper --pool us-east-1_AbCdEf123 remove-scope https://orders.example.com orders.admin --cascade`,
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := a.connect(cmd.Context(), true); err != nil {
				return err
			}
			cur, err := a.rs.Get(cmd.Context(), a.pool, args[0])
			if err != nil {
				return err
			}
			if missing := missingScopes(cur, args[1:]); len(missing) > 0 {
				return fmt.Errorf("%s does not define %s (it defines: %s); nothing removed",
					args[0], strings.Join(missing, ", "), scopeNames(cur))
			}
			ch := resourceserver.Change{}.Remove(args[1:]...).WithGrantPolicy(policy(allowDangling, cascade))
			rs, err := a.rs.Apply(cmd.Context(), a.pool, args[0], ch)
			if err != nil {
				return grantsHint(err, "--allow-dangling")
			}
			return a.printServer(rs)
		},
	}
	c.Flags().BoolVar(&allowDangling, "allow-dangling", false, "remove even if app clients allow the scopes (they keep them, inactive)")
	c.Flags().BoolVar(&cascade, "cascade", false, "revoke the scopes from the app clients that allow them, then remove them")
	c.MarkFlagsMutuallyExclusive("allow-dangling", "cascade")
	return c
}

// missingScopes returns the names, of names, that rs does not define.
func missingScopes(rs resourceserver.ResourceServer, names []string) []string {
	var out []string
	for _, n := range names {
		if !slices.ContainsFunc(rs.Scopes, func(s resourceserver.Scope) bool { return s.Name == n }) {
			out = append(out, strconv.Quote(n))
		}
	}
	return out
}

// scopeNames lists the scope names of rs for a message.
func scopeNames(rs resourceserver.ResourceServer) string {
	if len(rs.Scopes) == 0 {
		return "no scope"
	}
	names := make([]string, len(rs.Scopes))
	for i, s := range rs.Scopes {
		names[i] = s.Name
	}
	return strings.Join(names, ", ")
}

func (a *app) renameCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "rename IDENTIFIER NAME",
		Short:   "Rename a resource server, keeping every scope",
		Long:    `rename sets a resource server's name and keeps every scope.`,
		Example: `  scopekeeper --pool us-east-1_AbCdEf123 rename https://orders.example.com "Orders API"`,
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := a.connect(cmd.Context(), true); err != nil {
				return err
			}
			rs, err := a.rs.Rename(cmd.Context(), a.pool, args[0], args[1])
			if err != nil {
				return err
			}
			return a.printServer(rs)
		},
	}
}

// printClient prints an app client's ID, name and allowed scopes.
func (a *app) printClient(c appclient.AppClient) error {
	if a.json() {
		return a.writeJSON(struct {
			ClientID   string   `json:"clientId"`
			ClientName string   `json:"clientName"`
			Scopes     []string `json:"scopes"`
		}{c.ClientID, c.ClientName, append([]string{}, c.AllowedOAuthScopes...)})
	}
	fmt.Fprintf(a.stdout, "%s %q\n", c.ClientID, c.ClientName)
	for _, s := range c.AllowedOAuthScopes {
		fmt.Fprintf(a.stdout, "  %s\n", s)
	}
	return nil
}

func (a *app) grantCmd() *cobra.Command {
	var byName bool
	c := &cobra.Command{
		Use:   "grant CLIENT SCOPE...",
		Short: "Allow scopes to an app client, keeping every other setting",
		Long: `grant adds scopes ("<identifier>/<scope name>" or a standard scope such as openid) to an
app client's allowed OAuth scopes and keeps every other scope and setting. A scope
that does not exist is reported before anything is written. CLIENT is the app
client's ID, or with --by-name its name, which must name exactly one app client of
the pool (found with one ListUserPoolClients per 60 app clients).`,
		Example: `  scopekeeper --pool us-east-1_AbCdEf123 grant 1example23456789 https://orders.example.com/orders.read
  scopekeeper --pool us-east-1_AbCdEf123 grant --by-name billing-worker https://orders.example.com/orders.read`,
		Args: cobra.MinimumNArgs(2),
		RunE: a.clientScopes(&byName, func(a *app) scopesFunc { return a.apps.GrantScopes }),
	}
	c.Flags().BoolVar(&byName, "by-name", false, "CLIENT is the app client's name, not its ID")
	return c
}

func (a *app) revokeCmd() *cobra.Command {
	var byName bool
	c := &cobra.Command{
		Use:   "revoke CLIENT SCOPE...",
		Short: "Remove scopes from an app client, keeping every other setting",
		Long: `revoke removes scopes from an app client's allowed OAuth scopes and keeps every other
scope and setting. A scope the app client does not allow is an error (a typo would
otherwise look like success), and nothing is written; an inactive scope can be
revoked. CLIENT is the app client's ID, or with --by-name its name, which must name
exactly one app client of the pool.`,
		Example: `  scopekeeper --pool us-east-1_AbCdEf123 revoke 1example23456789 https://orders.example.com/orders.admin
  scopekeeper --pool us-east-1_AbCdEf123 revoke --by-name billing-worker https://orders.example.com/orders.admin`,
		Args: cobra.MinimumNArgs(2),
		RunE: a.clientScopes(&byName, func(a *app) scopesFunc { return a.revokeHeld }),
	}
	c.Flags().BoolVar(&byName, "by-name", false, "CLIENT is the app client's name, not its ID")
	return c
}

// revokeHeld is appclient.Client.RevokeScopes, refused before anything is
// written when the app client does not allow one of scopes.
func (a *app) revokeHeld(ctx context.Context, poolID, clientID string, scopes ...string) (appclient.AppClient, error) {
	cur, err := a.apps.Get(ctx, poolID, clientID)
	if err != nil {
		return appclient.AppClient{}, err
	}
	var missing []string
	for _, s := range scopes {
		if !slices.Contains(cur.AllowedOAuthScopes, s) {
			missing = append(missing, s)
		}
	}
	if len(missing) > 0 {
		held := strings.Join(cur.AllowedOAuthScopes, ", ")
		if held == "" {
			held = "no scope"
		}
		return appclient.AppClient{}, fmt.Errorf("app client %s does not allow %s (it allows: %s); nothing revoked",
			clientRef(cur), strings.Join(missing, ", "), held)
	}
	return a.apps.RevokeScopes(ctx, poolID, clientID, scopes...)
}

// clientRef is "name (id)" of an app client.
func clientRef(c appclient.AppClient) string {
	return reconcile.ClientRef{ID: c.ClientID, Name: c.ClientName}.String()
}

// scopesFunc is appclient.Client.GrantScopes or RevokeScopes.
type scopesFunc func(ctx context.Context, poolID, clientID string, scopes ...string) (appclient.AppClient, error)

// clientScopes returns the RunE of grant and revoke: connect, resolve
// CLIENT (args[0]) to an ID, change its scopes (args[1:]) with the
// function of op, and print the app client.
func (a *app) clientScopes(byName *bool, op func(*app) scopesFunc) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		if err := a.connect(cmd.Context(), true); err != nil {
			return err
		}
		id, err := a.clientID(cmd.Context(), args[0], *byName)
		if err != nil {
			return err
		}
		c, err := op(a)(cmd.Context(), a.pool, id, args[1:]...)
		if err != nil && !*byName && (rserrors.IsAppClientNotFound(err) || isClientIDError(err)) {
			return usagef("%w (if %q is the app client's name, add --by-name)", err, args[0])
		}
		if err != nil {
			return err
		}
		return a.printClient(c)
	}
}

// isClientIDError reports whether err is a validation error of the app
// client ID argument.
func isClientIDError(err error) bool {
	var ve *rserrors.ValidationError
	if !errors.As(err, &ve) {
		return false
	}
	for _, v := range ve.Violations {
		if strings.EqualFold(v.Field, "clientID") {
			return true
		}
	}
	return false
}

// clientID returns client itself, or with byName the ID of the one app
// client of the pool named client, found with appclient's List. A name
// that no app client or several have is an error naming them.
func (a *app) clientID(ctx context.Context, client string, byName bool) (string, error) {
	if !byName {
		return client, nil
	}
	var ids []string
	for c, err := range a.apps.List(ctx, a.pool) {
		if err != nil {
			return "", err
		}
		if c.Name == client {
			ids = append(ids, c.ID)
		}
	}
	switch len(ids) {
	case 0:
		return "", fmt.Errorf("no app client of user pool %s is named %q", a.pool, client)
	case 1:
		return ids[0], nil
	}
	slices.Sort(ids)
	return "", fmt.Errorf("%d app clients of user pool %s are named %q (%s): give one by ID", len(ids), a.pool, client, strings.Join(ids, ", "))
}

// checkScope checks that scope is a standard scope or
// "<identifier>/<scope name>" with both parts valid.
func checkScope(scope string) error {
	if appclient.IsStandard(scope) {
		return nil
	}
	i := strings.LastIndexByte(scope, '/')
	if i <= 0 || i == len(scope)-1 {
		return usagef("%q is not a scope: give \"<identifier>/<scope name>\", such as https://orders.example.com/orders.read, or a standard scope such as openid", scope)
	}
	var r validate.Report
	if err := r.Scope("SCOPE", scope).Err(""); err != nil {
		return &usageError{err}
	}
	return nil
}

// defined reports whether a resource server of the pool defines scope, a
// standard scope being always defined: one DescribeResourceServer.
func (a *app) defined(ctx context.Context, scope string) (bool, error) {
	if appclient.IsStandard(scope) {
		return true, nil
	}
	i := strings.LastIndexByte(scope, '/')
	rs, err := a.rs.Get(ctx, a.pool, scope[:i])
	switch {
	case rserrors.IsResourceServerNotFound(err):
		return false, nil
	case err != nil:
		return false, err
	}
	return len(missingScopes(rs, []string{scope[i+1:]})) == 0, nil
}

func (a *app) whoAllowsCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "who-allows SCOPE",
		Short: "List the app clients that allow a scope",
		Long: `who-allows prints the app clients whose allowed OAuth scopes hold SCOPE, and whether
the scope is inactive (no longer defined: left out of tokens). It reads every app
client: one ListUserPoolClients per 60 and one DescribeUserPoolClient each, after one
DescribeResourceServer to see whether the scope is defined.

SCOPE is "<identifier>/<scope name>" or a standard scope such as openid: anything else
is an error before anything is read. A scope that no resource server defines and no
app client allows is an error (exit 1).`,
		Example: `  scopekeeper --pool us-east-1_AbCdEf123 who-allows https://orders.example.com/orders.read`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			scope := args[0]
			if err := checkScope(scope); err != nil {
				return err
			}
			if err := a.connect(cmd.Context(), true); err != nil {
				return err
			}
			defined, err := a.defined(cmd.Context(), scope)
			if err != nil {
				return err
			}
			g, err := a.apps.Grants(cmd.Context(), a.pool)
			if err != nil {
				return err
			}
			inactive := slices.Contains(g.Inactive(), scope)
			holders := g.Holders(scope)
			if !defined && len(holders) == 0 {
				return fmt.Errorf("no resource server of user pool %s defines %s, and no app client allows it (see scopekeeper list)", a.pool, scope)
			}
			if a.json() {
				type client struct {
					ClientID   string `json:"clientId"`
					ClientName string `json:"clientName"`
				}
				v := struct {
					Scope    string   `json:"scope"`
					Inactive bool     `json:"inactive"`
					Clients  []client `json:"clients"`
				}{Scope: scope, Inactive: inactive, Clients: []client{}}
				for _, c := range holders {
					v.Clients = append(v.Clients, client{c.ID, c.Name})
				}
				return a.writeJSON(v)
			}
			if len(holders) == 0 {
				fmt.Fprintf(a.stdout, "No app client allows %s.\n", scope)
				return nil
			}
			if inactive {
				fmt.Fprintf(a.stdout, "%s is inactive (no longer defined); these app clients still list it:\n", scope)
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "CLIENT ID\tNAME")
			for _, c := range holders {
				fmt.Fprintf(tw, "%s\t%s\n", c.ID, c.Name)
			}
			return tw.Flush()
		},
	}
}
