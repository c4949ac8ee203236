package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/scopekeeper/scopekeeper/cognitotest"
	"github.com/scopekeeper/scopekeeper/reconcile"
)

const pool = "us-east-1_Example1"

// cli is the command run in-process against an emulator.
type cli struct {
	t   *testing.T
	srv *cognitotest.Server
	dir string
	tty bool // whether standard input counts as a terminal
	// ttyOut, ttyErr: whether standard output, standard error counts as
	// a terminal.
	ttyOut, ttyErr bool
	// env holds the environment variables the command sees.
	env map[string]string
	// noFlags leaves out --endpoint and --pool.
	noFlags bool
}

// newCLI returns a cli on a new in-process emulator, which holds the
// pool. Called in a synctest bubble, the command's pacing waits pass in
// virtual time.
func newCLI(t *testing.T) *cli {
	t.Helper()
	srv := cognitotest.NewInProcessServer()
	t.Cleanup(srv.Close)
	if err := srv.AddUserPool(pool, "test"); err != nil {
		t.Fatal(err)
	}
	return &cli{t: t, srv: srv, dir: t.TempDir()}
}

// endpointTransport hands the requests sent to the emulator's URL to the
// emulator in process, and fails any other: the command must still send
// to the endpoint it was given.
type endpointTransport struct{ srv *cognitotest.Server }

func (e endpointTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if got := req.URL.Scheme + "://" + req.URL.Host; got != e.srv.URL {
		return nil, fmt.Errorf("request to %s, want the emulator at %s", got, e.srv.URL)
	}
	return e.srv.HTTPClient().Transport.RoundTrip(req)
}

// run runs the command with --endpoint and --pool and returns its exit
// code, standard output and standard error.
func (c *cli) run(stdin string, args ...string) (int, string, string) {
	c.t.Helper()
	var out, errb bytes.Buffer
	in := strings.NewReader(stdin)
	a := &app{
		httpClient: &http.Client{Transport: endpointTransport{c.srv}},
		getenv:     func(k string) string { return c.env[k] },
		isTerminal: func(f any) bool {
			switch f {
			case io.Writer(&out):
				return c.ttyOut
			case io.Writer(&errb):
				return c.ttyErr
			}
			return f == io.Reader(in) && c.tty
		},
	}
	if !c.noFlags {
		args = append([]string{"--endpoint", c.srv.URL, "--pool", pool}, args...)
	}
	code := a.run(c.t.Context(), args, in, &out, &errb)
	return code, out.String(), errb.String()
}

func (c *cli) write(name, text string) string {
	c.t.Helper()
	p := filepath.Join(c.dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		c.t.Fatal(err)
	}
	return p
}

const ordersFile = `userPoolId: us-east-1_Example1
resourceServers:
  - identifier: https://orders.example.com
    name: Orders API
    scopes:
      - name: orders.read
        description: Read orders
      - name: orders.write
        description: Write orders
`

func TestPlanApplyExport(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		c := newCLI(t)
		file := c.write("scopes.yaml", ordersFile)

		steps := []struct {
			name  string
			stdin string
			args  []string
			code  int
			out   string // a line standard output must hold
		}{
			{"plan with changes", "", []string{"plan", "-f", file, "--detailed-exitcode"}, 2, "Plan: 1 to add, 0 to change, 0 to destroy."},
			{"plan without detailed exit code", "", []string{"plan", "-f", file}, 0, "  + https://orders.example.com \"Orders API\""},
			{"apply refused without a terminal", "yes\n", []string{"apply", "-f", file}, 1, "Plan: 1 to add, 0 to change, 0 to destroy."},
			{"apply approved", "", []string{"apply", "-f", file, "--auto-approve"}, 0, "Apply complete: 1 done."},
			{"plan after apply", "", []string{"plan", "-f", file, "--detailed-exitcode"}, 0, "Plan: 0 to add, 0 to change, 0 to destroy."},
		}
		for _, s := range steps {
			code, out, errOut := c.run(s.stdin, s.args...)
			if code != s.code || !slices.Contains(strings.Split(out, "\n"), s.out) {
				t.Fatalf("%s: run(%q) = %d, stdout:\n%s\nstderr:\n%s\nwant exit %d and the line %q", s.name, s.args, code, out, errOut, s.code, s.out)
			}
		}
		if _, ok := c.srv.ResourceServer(pool, "https://orders.example.com"); !ok {
			t.Fatal("apply did not create the resource server")
		}

		// export, then plan the export: no changes.
		code, exported, errOut := c.run("", "export")
		if code != 0 {
			t.Fatalf("export = %d: %s", code, errOut)
		}
		if code, out, errOut := c.run(exported, "plan", "-f", "-", "--detailed-exitcode"); code != 0 {
			t.Fatalf("plan of the export = %d:\n%s\n%s", code, out, errOut)
		}

		// A saved plan, refused after drift.
		planFile := filepath.Join(c.dir, "scopes.plan")
		c.write("more.yaml", ordersFile+"      - name: orders.admin\n        description: Administer\n")
		if code, _, errOut := c.run("", "plan", "-f", filepath.Join(c.dir, "more.yaml"), "--out", planFile); code != 0 {
			t.Fatalf("plan --out = %d: %s", code, errOut)
		}
		if err := c.srv.PutResourceServer(cognitotest.ResourceServer{UserPoolID: pool, Identifier: "https://orders.example.com", Name: "Orders API",
			Scopes: []cognitotest.Scope{{Name: "orders.read", Description: "Read orders"}}}); err != nil {
			t.Fatal(err)
		}
		if code, _, errOut := c.run("", "apply", planFile); code != 1 || !strings.Contains(errOut, "changed since the plan was made") {
			t.Fatalf("apply of a stale plan = %d, stderr %q; want 1 and a stale-plan message", code, errOut)
		}
		// A fresh saved plan applies without confirmation.
		if code, _, errOut := c.run("", "plan", "-f", filepath.Join(c.dir, "more.yaml"), "--out", planFile); code != 0 {
			t.Fatalf("plan --out = %d: %s", code, errOut)
		}
		if code, out, errOut := c.run("", "apply", planFile); code != 0 || !strings.Contains(errOut, "[1/1] change https://orders.example.com: done") {
			t.Fatalf("apply PLANFILE = %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
		}
		rs, _ := c.srv.ResourceServer(pool, "https://orders.example.com")
		if len(rs.Scopes) != 3 {
			t.Errorf("after apply PLANFILE the server has %d scopes, want 3: %+v", len(rs.Scopes), rs.Scopes)
		}
	})
}

func TestConfirmation(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		answer string
		code   int
		exists bool
	}{
		{"no\n", 1, false},
		{"yes\n", 0, true},
	} {
		t.Run(strings.TrimSpace(tc.answer), func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				c := newCLI(t)
				c.tty = true
				file := c.write("scopes.yaml", ordersFile)
				code, _, errOut := c.run(tc.answer, "apply", "-f", file)
				if _, exists := c.srv.ResourceServer(pool, "https://orders.example.com"); code != tc.code || exists != tc.exists {
					t.Errorf("apply answered %q = %d (server created: %v), want %d (%v); stderr:\n%s", tc.answer, code, exists, tc.code, tc.exists, errOut)
				}
				if !strings.Contains(errOut, "Only 'yes' will be accepted") {
					t.Errorf("no prompt on standard error: %q", errOut)
				}
			})
		})
	}
}

func TestErrors(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	bad := c.write("bad.yaml", "userPoolId: us-east-1_Example1\nresourceServers:\n  - identifier: https://orders.example.com\n    name: Orders/API\n    colour: blue\n")
	for _, tc := range []struct {
		name   string
		args   []string
		stderr []string
	}{
		{"every problem of a file", []string{"plan", "-f", bad}, []string{bad + ":4:11: resourceServers[0].name: pattern", bad + ":5:5: resourceServers[0].colour: unknown field"}},
		{"missing file flag", []string{"plan"}, []string{`required flag(s) "file" not set`}},
		{"bad output", []string{"-o", "yaml", "list"}, []string{`--output "yaml": must be text or json`}},
		{"missing server", []string{"get", "https://nope.example.com"}, []string{"does not exist"}},
		{"apply without a file", []string{"apply"}, []string{"apply needs -f FILE or a PLANFILE"}},
		{"unknown command", []string{"frobnicate"}, []string{`unknown command "frobnicate"`}},
		{"invalid scope", []string{"add-scope", "https://orders.example.com", "a b", "d"}, []string{"validation failed"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := c.run("", tc.args...)
			if code != 1 {
				t.Errorf("run(%q) = %d, want 1", tc.args, code)
			}
			for _, s := range tc.stderr {
				if !strings.Contains(errOut, s) {
					t.Errorf("run(%q) stderr = %q, want it to hold %q", tc.args, errOut, s)
				}
			}
		})
	}
}

func TestHelp(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		c := newCLI(t)
		root := (&app{}).root()
		cmds := []string{""}
		for _, sub := range root.Commands() {
			if sub.Name() != "help" {
				cmds = append(cmds, sub.Name())
			}
		}
		if len(cmds) != 15 {
			t.Errorf("the command has %d subcommands, want 14: %v", len(cmds)-1, cmds)
		}
		for _, name := range cmds {
			args := []string{"--help"}
			if name != "" {
				args = []string{name, "--help"}
			}
			code, out, _ := c.run("", args...)
			if code != 0 || !strings.Contains(out, "Examples:\n  scopekeeper ") || !strings.Contains(out, "Usage:") {
				t.Errorf("run(%q) = %d, output:\n%s\nwant 0, a usage and an example", args, code, out)
			}
		}
	})
}

func TestVerbs(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		c := newCLI(t)
		const id = "https://orders.example.com"
		if err := c.srv.PutResourceServer(cognitotest.ResourceServer{UserPoolID: pool, Identifier: id, Name: "Orders",
			Scopes: []cognitotest.Scope{{Name: "read", Description: "Read"}, {Name: "admin", Description: "Admin"}}}); err != nil {
			t.Fatal(err)
		}
		client, err := c.srv.PutAppClient(pool, types.UserPoolClientType{
			ClientId: aws.String("worker1"), ClientName: aws.String("worker"), ClientSecret: aws.String("s3cr3ts3cr3ts3cr3ts3cr3ts3cr3t"),
			AllowedOAuthFlowsUserPoolClient: aws.Bool(true), AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeClientCredentials},
			AllowedOAuthScopes: []string{id + "/read", id + "/admin"},
		})
		if err != nil {
			t.Fatal(err)
		}
		cid := aws.ToString(client.ClientId)

		type server struct {
			Identifier, Name string
			Scopes           []struct{ Name, Description string }
		}
		scopeNames := func(out string) []string {
			var s server
			if err := json.Unmarshal([]byte(out), &s); err != nil {
				t.Fatalf("output is not a server as JSON: %v\n%s", err, out)
			}
			var names []string
			for _, sc := range s.Scopes {
				names = append(names, sc.Name)
			}
			return names
		}
		steps := []struct {
			args []string
			code int
			want []string // scope names of the server printed, or nil
		}{
			{[]string{"add-scope", id, "write", "Write"}, 0, []string{"read", "admin", "write"}},
			{[]string{"remove-scope", id, "admin"}, 1, nil}, // worker1 allows it: refused
			{[]string{"remove-scope", id, "admin", "--cascade"}, 0, []string{"read", "write"}},
			{[]string{"rename", id, "Orders API"}, 0, []string{"read", "write"}},
			{[]string{"get", id}, 0, []string{"read", "write"}},
		}
		for _, s := range steps {
			code, out, errOut := c.run("", append([]string{"-o", "json"}, s.args...)...)
			if code != s.code {
				t.Fatalf("run(%q) = %d, want %d; stderr %s", s.args, code, s.code, errOut)
			}
			if s.want != nil {
				if diff := cmp.Diff(s.want, scopeNames(out)); diff != "" {
					t.Errorf("run(%q) scopes mismatch (-want +got):\n%s", s.args, diff)
				}
			}
		}
		if rs, _ := c.srv.ResourceServer(pool, id); rs.Name != "Orders API" {
			t.Errorf("name after rename = %q", rs.Name)
		}
		if got, _ := c.srv.AppClient(pool, cid); slices.Contains(got.AllowedOAuthScopes, id+"/admin") {
			t.Errorf("--cascade left the grant: %v", got.AllowedOAuthScopes)
		}

		// grant, who-allows, revoke.
		if code, _, errOut := c.run("", "grant", cid, id+"/write", id+"/read"); code != 0 {
			t.Fatalf("grant = %d: %s", code, errOut)
		}
		code, out, errOut := c.run("", "-o", "json", "who-allows", id+"/write")
		if code != 0 {
			t.Fatalf("who-allows = %d: %s", code, errOut)
		}
		var who struct {
			Scope    string
			Inactive bool
			Clients  []struct{ ClientID, ClientName string }
		}
		if err := json.Unmarshal([]byte(out), &who); err != nil {
			t.Fatal(err)
		}
		if len(who.Clients) != 1 || who.Clients[0].ClientID != cid || who.Clients[0].ClientName != "worker" || who.Inactive {
			t.Errorf("who-allows = %+v, want worker1 (worker), active", who)
		}
		if code, _, errOut := c.run("", "revoke", cid, id+"/write"); code != 0 {
			t.Fatalf("revoke = %d: %s", code, errOut)
		}
		if got, _ := c.srv.AppClient(pool, cid); !slices.Equal(got.AllowedOAuthScopes, []string{id + "/read"}) {
			t.Errorf("scopes after revoke = %v, want [%s/read]", got.AllowedOAuthScopes, id)
		}
		// list
		code, out, _ = c.run("", "list")
		if code != 0 || !strings.Contains(out, "https://orders.example.com  Orders API  2") {
			t.Errorf("list = %d:\n%s", code, out)
		}
	})
}

func TestPlanJSON(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		c := newCLI(t)
		file := c.write("scopes.yaml", ordersFile)
		code, out, errOut := c.run("", "-o", "json", "plan", "-f", file)
		if code != 0 {
			t.Fatalf("plan -o json = %d: %s", code, errOut)
		}
		p, err := reconcile.ReadPlan(strings.NewReader(out))
		if err != nil {
			t.Fatalf("plan -o json is not a saved plan: %v\n%s", err, out)
		}
		if add, _, _ := p.Counts(); add != 1 || p.Version != reconcile.PlanVersion {
			t.Errorf("plan -o json: version %d, %d to add; want %d, 1", p.Version, add, reconcile.PlanVersion)
		}
	})
}

func TestRunUsesEnvironment(t *testing.T) {
	srv := cognitotest.NewServer()
	t.Cleanup(srv.Close)
	if err := srv.AddUserPool(pool, "test"); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SCOPEKEEPER_ENDPOINT", srv.URL)
	t.Setenv("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER", "") // it would come first
	t.Setenv("SCOPEKEEPER_POOL_ID", pool)
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"list", "-o", "json"}, strings.NewReader(""), &out, &errb); code != 0 || strings.TrimSpace(out.String()) != "[]" {
		t.Errorf("run(list) = %d, stdout %q, stderr %q; want 0 and []", code, out.String(), errb.String())
	}
}

func TestApplyDanglingRefusedThenAllowed(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		c := newCLI(t)
		const id = "https://orders.example.com"
		if err := c.srv.PutResourceServer(cognitotest.ResourceServer{UserPoolID: pool, Identifier: id, Name: "Orders API",
			Scopes: []cognitotest.Scope{{Name: "orders.read", Description: "Read orders"}, {Name: "orders.write", Description: "Write orders"}, {Name: "orders.admin", Description: "Admin"}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.srv.PutAppClient(pool, types.UserPoolClientType{
			ClientId: aws.String("worker1"), ClientName: aws.String("worker"), ClientSecret: aws.String("s3cr3ts3cr3ts3cr3ts3cr3ts3cr3t"),
			AllowedOAuthFlowsUserPoolClient: aws.Bool(true), AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeClientCredentials},
			AllowedOAuthScopes: []string{id + "/orders.read", id + "/orders.admin"},
		}); err != nil {
			t.Fatal(err)
		}
		file := c.write("scopes.yaml", ordersFile)
		c.tty = true // refused before any question
		code, out, errOut := c.run("", "apply", "-f", file)
		if code != 1 || !strings.Contains(errOut, "removing "+id+"/orders.admin leaves it inactive on app client(s) worker (worker1)") ||
			!strings.Contains(out, "! removing "+id+"/orders.admin") || strings.Contains(errOut, "Only 'yes'") {
			t.Fatalf("apply of a dangling removal = %d\nstdout:\n%s\nstderr:\n%s\nwant 1 and the dangling grant named", code, out, errOut)
		}
		if rs, _ := c.srv.ResourceServer(pool, id); len(rs.Scopes) != 3 {
			t.Fatalf("refused apply wrote: %+v", rs.Scopes)
		}
		if code, _, errOut := c.run("", "apply", "-f", file, "--auto-approve", "--allow-dangling"); code != 0 {
			t.Fatalf("apply --allow-dangling = %d: %s", code, errOut)
		}
		if rs, _ := c.srv.ResourceServer(pool, id); len(rs.Scopes) != 2 {
			t.Errorf("after apply --allow-dangling the server has %+v", rs.Scopes)
		}
	})
}

// TestGrantByName grants and revokes by app client name: a name shared by
// two app clients, or held by none, is refused with exit code 1 and
// nothing written.
func TestGrantByName(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		c := newCLI(t)
		const id = "https://orders.example.com"
		if err := c.srv.PutResourceServer(cognitotest.ResourceServer{UserPoolID: pool, Identifier: id, Name: "Orders",
			Scopes: []cognitotest.Scope{{Name: "read", Description: "Read"}}}); err != nil {
			t.Fatal(err)
		}
		put := func(clientID, name string) {
			t.Helper()
			if _, err := c.srv.PutAppClient(pool, types.UserPoolClientType{ClientId: aws.String(clientID), ClientName: aws.String(name)}); err != nil {
				t.Fatal(err)
			}
		}
		put("fresh1", "fresh")
		put("twin1", "twin")
		put("twin2", "twin")

		tests := []struct {
			args       []string
			code       int
			wantScopes map[string][]string // client ID -> allowed scopes afterwards
		}{
			{[]string{"grant", "--by-name", "fresh", id + "/read"}, 0, map[string][]string{"fresh1": {id + "/read"}}},
			{[]string{"grant", "--by-name", "twin", id + "/read"}, 1, map[string][]string{"twin1": nil, "twin2": nil}},
			{[]string{"grant", "--by-name", "nobody", id + "/read"}, 1, nil},
			{[]string{"revoke", "--by-name", "fresh", id + "/read"}, 0, map[string][]string{"fresh1": nil}},
		}
		for _, tt := range tests {
			code, _, errOut := c.run("", tt.args...)
			if code != tt.code {
				t.Fatalf("run(%q) = %d, want %d; stderr %s", tt.args, code, tt.code, errOut)
			}
			for clientID, want := range tt.wantScopes {
				got, _ := c.srv.AppClient(pool, clientID)
				if diff := cmp.Diff(want, got.AllowedOAuthScopes, cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("after run(%q), scopes of %s (-want +got):\n%s", tt.args, clientID, diff)
				}
			}
		}
	})
}
