package main

import (
	"encoding/json"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/google/go-cmp/cmp"

	"github.com/scopekeeper/scopekeeper/cognitotest"
)

const orders = "https://orders.example.com"

// seed puts the orders server (read, write, admin) and worker1, which
// allows read and admin, into c's emulator.
func seed(t *testing.T, c *cli) {
	t.Helper()
	if err := c.srv.PutResourceServer(cognitotest.ResourceServer{UserPoolID: pool, Identifier: orders, Name: "Orders API",
		Scopes: []cognitotest.Scope{{Name: "orders.read", Description: "Read orders"}, {Name: "orders.write", Description: "Write orders"}, {Name: "orders.admin", Description: "Admin"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.srv.PutAppClient(pool, oauthClient("worker1", "worker", orders+"/orders.read", orders+"/orders.admin")); err != nil {
		t.Fatal(err)
	}
}

func oauthClient(id, name string, scopes ...string) types.UserPoolClientType {
	return types.UserPoolClientType{
		ClientId: aws.String(id), ClientName: aws.String(name), ClientSecret: aws.String("s3cr3ts3cr3ts3cr3ts3cr3ts3cr3t"),
		AllowedOAuthFlowsUserPoolClient: aws.Bool(true), AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeClientCredentials},
		AllowedOAuthScopes: scopes,
	}
}

// TestNewcomerErrors: what a new user met, each a command that reported
// success, or an error pointing the wrong way. Each now exits 1 with a
// message that names the cause and what to do, and writes nothing. The
// cases share one emulator in one synctest bubble, so they are not
// subtests (t.Run is not allowed in a bubble).
func TestNewcomerErrors(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		c := newCLI(t)
		seed(t, c)
		file := c.write("scopes.yaml", ordersFile)
		planFile := filepath.Join(c.dir, "scopes.plan")
		if code, _, errOut := c.run("", "plan", "-f", file, "--out", planFile, "--allow-dangling"); code != 0 {
			t.Fatalf("plan --out = %d: %s", code, errOut)
		}
		before := c.srv.ResourceServers(pool)
		clientBefore, _ := c.srv.AppClient(pool, "worker1")

		for _, tc := range []struct {
			name    string
			args    []string
			want    []string // what stderr must hold
			notWant string   // what it must not
		}{
			{"pool without a region prefix", []string{"--pool", "Example1", "list"},
				[]string{`user pool "Example1"`, "not a user pool ID", "Run 'scopekeeper list --help' for usage."}, "no AWS region"},
			{"grant by a name without --by-name (not an ID pattern)", []string{"grant", "billing-worker", orders + "/orders.read"},
				[]string{"add --by-name", "Run 'scopekeeper grant --help'"}, ""},
			{"grant by a name without --by-name (an ID pattern)", []string{"grant", "worker", orders + "/orders.read"},
				[]string{"add --by-name"}, ""},
			{"revoke by a name without --by-name", []string{"revoke", "worker", orders + "/orders.read"},
				[]string{"add --by-name"}, ""},
			{"apply given a desired-state file", []string{"apply", file},
				[]string{"is a desired-state file, not a saved plan", `scopekeeper apply -f ` + file}, "invalid character"},
			{"apply of a saved plan with --prune", []string{"apply", planFile, "--prune"},
				[]string{"--prune belongs to the plan", "Run 'scopekeeper apply --help'"}, ""},
			{"remove-scope of a scope not there", []string{"remove-scope", orders, "orders.raed"},
				[]string{`does not define "orders.raed"`, "orders.read, orders.write, orders.admin"}, ""},
			{"remove-scope of one scope there and one not", []string{"remove-scope", orders, "orders.write", "orders.nope", "--allow-dangling"},
				[]string{`does not define "orders.nope"`, "nothing removed"}, ""},
			{"revoke of a scope not held", []string{"revoke", "worker1", orders + "/orders.write"},
				[]string{"does not allow " + orders + "/orders.write", "worker (worker1)", "nothing revoked"}, ""},
			{"who-allows of a bare scope name", []string{"who-allows", "orders.read"},
				[]string{`"orders.read" is not a scope`, "Run 'scopekeeper who-allows --help'"}, ""},
			{"who-allows of an undefined scope", []string{"who-allows", orders + "/orders.raed"},
				[]string{"defines " + orders + "/orders.raed", "no app client allows it"}, ""},
			{"who-allows of a scope of an unknown server", []string{"who-allows", "https://nope.example.com/x"},
				[]string{"no app client allows it"}, ""},
			{"flags that exclude each other", []string{"remove-scope", orders, "orders.admin", "--cascade", "--allow-dangling"},
				[]string{"allow-dangling", "cascade", "Run 'scopekeeper remove-scope --help'"}, ""},
			{"add-scope flags that exclude each other", []string{"add-scope", orders, "x", "X", "--cascade", "--allow-regrant"},
				[]string{"Run 'scopekeeper add-scope --help'"}, ""},
			{"unknown flag", []string{"list", "--frobnicate"},
				[]string{"unknown flag: --frobnicate", "Run 'scopekeeper list --help'"}, ""},
			{"markdown where there is none", []string{"-o", "markdown", "list"},
				[]string{"--output markdown", "Run 'scopekeeper list --help'"}, ""},
		} {
			code, out, errOut := c.run("", tc.args...)
			if code != 1 {
				t.Errorf("%s: run(%q) = %d, want 1; stdout:\n%s\nstderr:\n%s", tc.name, tc.args, code, out, errOut)
			}
			for _, w := range tc.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("%s: run(%q) stderr = %q, want it to hold %q", tc.name, tc.args, errOut, w)
				}
			}
			if tc.notWant != "" && strings.Contains(errOut, tc.notWant) {
				t.Errorf("%s: run(%q) stderr = %q, want no %q", tc.name, tc.args, errOut, tc.notWant)
			}
		}
		if diff := cmp.Diff(before, c.srv.ResourceServers(pool)); diff != "" {
			t.Errorf("refused commands changed the resource servers (-before +after):\n%s", diff)
		}
		if after, _ := c.srv.AppClient(pool, "worker1"); !slices.Equal(after.AllowedOAuthScopes, clientBefore.AllowedOAuthScopes) {
			t.Errorf("refused commands changed worker1's scopes: %v, was %v", after.AllowedOAuthScopes, clientBefore.AllowedOAuthScopes)
		}
	})
}

// TestWhoAllowsOutcomes: a defined scope that no app client allows is no
// error; an inactive one still held is reported as such.
func TestWhoAllowsOutcomes(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		c := newCLI(t)
		seed(t, c)
		// orders.admin becomes inactive on worker1.
		if code, _, errOut := c.run("", "remove-scope", orders, "orders.admin", "--allow-dangling"); code != 0 {
			t.Fatalf("remove-scope --allow-dangling = %d: %s", code, errOut)
		}
		for _, tc := range []struct {
			scope    string
			inactive bool
			clients  int
		}{
			{orders + "/orders.write", false, 0},
			{orders + "/orders.read", false, 1},
			{orders + "/orders.admin", true, 1},
		} {
			code, out, errOut := c.run("", "-o", "json", "who-allows", tc.scope)
			if code != 0 {
				t.Errorf("who-allows %s = %d: %s", tc.scope, code, errOut)
				continue
			}
			var got struct {
				Inactive bool
				Clients  []struct{ ClientID string }
			}
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatal(err)
			}
			if got.Inactive != tc.inactive || len(got.Clients) != tc.clients {
				t.Errorf("who-allows %s = inactive %v, %d clients; want %v, %d", tc.scope, got.Inactive, len(got.Clients), tc.inactive, tc.clients)
			}
		}
	})
}

// TestPlanRefusedExitCode: a plan that apply refuses exits 3 with
// --detailed-exitcode and names the flag; allowed, it exits 2.
func TestPlanRefusedExitCode(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		c := newCLI(t)
		seed(t, c)
		file := c.write("scopes.yaml", ordersFile) // drops orders.admin, which worker1 allows
		for _, tc := range []struct {
			args []string
			code int
			out  string
		}{
			{[]string{"plan", "-f", file, "--detailed-exitcode"}, exitRefused, "(allow with --allow-dangling)"},
			{[]string{"plan", "-f", file, "--detailed-exitcode", "--allow-dangling"}, exitChanges, "Plan: 0 to add, 1 to change, 0 to destroy."},
			{[]string{"plan", "-f", file}, exitOK, "Plan: 0 to add, 1 to change, 0 to destroy."},
			{[]string{"-o", "markdown", "plan", "-f", file}, exitOK, "allow with `--allow-dangling`"},
			{[]string{"-o", "markdown", "plan", "-f", file, "--allow-dangling"}, exitOK, "```diff"},
		} {
			code, out, errOut := c.run("", tc.args...)
			if code != tc.code || !strings.Contains(out, tc.out) {
				t.Errorf("run(%q) = %d, stdout:\n%s\nstderr:\n%s\nwant %d and %q", tc.args, code, out, errOut, tc.code, tc.out)
			}
			if tc.code == exitRefused && !strings.Contains(errOut, "use --allow-dangling") {
				t.Errorf("run(%q) stderr = %q, want the flag named", tc.args, errOut)
			}
		}
		code, out, _ := c.run("", "-o", "markdown", "plan", "-f", file, "--allow-dangling")
		if code != 0 || strings.Contains(out, "[!WARNING]") {
			t.Errorf("plan -o markdown --allow-dangling = %d, warns of a refusal that is allowed:\n%s", code, out)
		}
	})
}

func TestMarkdownFence(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		c := newCLI(t)
		file := c.write("ticks.yaml", "resourceServers:\n  - identifier: https://t.example.com\n    name: T\n    scopes:\n      - name: t\n        description: \"````\"\n")
		code, out, errOut := c.run("", "-o", "markdown", "plan", "-f", file)
		if code != 0 || !strings.Contains(out, "`````diff\n") {
			t.Errorf("plan -o markdown of a description with 4 backticks = %d, stdout:\n%s\nstderr: %s\nwant a 5-backtick fence", code, out, errOut)
		}
	})
}

func TestColor(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		ttyOut  bool
		env     map[string]string
		colored bool
	}{
		{"terminal", true, nil, true},
		{"not a terminal", false, nil, false},
		{"NO_COLOR", true, map[string]string{"NO_COLOR": "1"}, false},
		{"dumb terminal", true, map[string]string{"TERM": "dumb"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				c := newCLI(t)
				c.ttyOut, c.env = tc.ttyOut, tc.env
				file := c.write("scopes.yaml", ordersFile)
				code, out, _ := c.run("", "plan", "-f", file)
				if colored := strings.Contains(out, "\x1b["); code != 0 || colored != tc.colored {
					t.Errorf("plan = %d, colored %v, want %v:\n%q", code, colored, tc.colored, out)
				}
				if tc.colored && !strings.Contains(out, ansiGreen+"  + "+orders) {
					t.Errorf("the created server is not green: %q", out)
				}
			})
		})
	}
}

// TestEndpointVariables: the SDK's own variable and the alias both reach
// the emulator.
func TestEndpointVariables(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER", "SCOPEKEEPER_ENDPOINT"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				c := newCLI(t)
				seed(t, c)
				c.noFlags = true
				c.env = map[string]string{name: c.srv.URL, "SCOPEKEEPER_POOL_ID": pool}
				code, out, errOut := c.run("", "list")
				if code != 0 || !strings.Contains(out, orders) {
					t.Errorf("list with %s = %d\nstdout:\n%s\nstderr:\n%s", name, code, out, errOut)
				}
			})
		})
	}
}

func TestVersionAndCompletion(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		c := newCLI(t)
		if code, out, _ := c.run("", "--version"); code != 0 || !strings.HasPrefix(out, "scopekeeper ") {
			t.Errorf("--version = %d, %q", code, out)
		}
		for _, tc := range []struct {
			shell string
			code  int
			want  string
		}{
			{"bash", 0, "__start_scopekeeper"},
			{"zsh", 0, "#compdef scopekeeper"},
			{"fish", 0, "complete -c scopekeeper"},
			{"powershell", 1, ""},
		} {
			code, out, errOut := c.run("", "completion", tc.shell)
			if code != tc.code || !strings.Contains(out, tc.want) {
				t.Errorf("completion %s = %d (stderr %q), output holds %q: %v", tc.shell, code, errOut, tc.want, strings.Contains(out, tc.want))
			}
		}
	})
}

func TestDiffMarkers(t *testing.T) {
	t.Parallel()
	in := "Plan for user pool p:\n\n  ~ https://a\n      - x \"X\"\n      + y \"Y\"\n  ! removing\nPlan: 1\n"
	want := "Plan for user pool p:\n\n~   https://a\n-       x \"X\"\n+       y \"Y\"\n!   removing\nPlan: 1\n"
	if got := diffMarkers(in); got != want {
		t.Errorf("diffMarkers(%q) = %q, want %q", in, got, want)
	}
}

func TestVersionOf(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		bi   debug.BuildInfo
		want string
	}{
		{"installed at a version", debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "v1.2.3"}}, "v1.2.3 go1.26.0"},
		{"from a clone", debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "(devel)"},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef"}, {Key: "vcs.modified", Value: "true"}}},
			"(devel) 0123456789ab+dirty go1.26.0"},
		{"nothing known", debug.BuildInfo{}, "(devel)"},
	} {
		if got := versionOf(&tc.bi); got != tc.want {
			t.Errorf("%s: versionOf() = %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestPortableExportAndValidate: an export without the pool plans against
// another pool named with --pool; validate checks a file offline.
func TestPortableExportAndValidate(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		c := newCLI(t)
		seed(t, c)
		code, exported, errOut := c.run("", "export", "--portable")
		if code != 0 || strings.Contains(exported, "userPoolId") || !strings.Contains(exported, `clientName: "worker"`) {
			t.Fatalf("export --portable = %d:\n%s\nstderr: %s", code, exported, errOut)
		}
		file := c.write("portable.yaml", exported)

		// validate needs no pool, no endpoint, no credentials.
		c.noFlags = true
		if code, out, errOut := c.run("", "validate", "-f", file); code != 0 || !strings.Contains(out, "is valid: 1 resource server(s), 3 scope(s), 1 app client(s); no userPoolId") {
			t.Errorf("validate = %d, %q, %q", code, out, errOut)
		}
		bad := c.write("bad.yaml", "resourceServers:\n  - identifier: https://x.example.com\n    name: X/Y\n    scopes: []\n    colour: blue\n")
		code, out, _ := c.run("", "-o", "json", "validate", "-f", bad)
		var v validation
		if err := json.Unmarshal([]byte(out), &v); code != 1 || err != nil || v.Valid || len(v.Problems) != 2 {
			t.Errorf("validate -o json of a bad file = %d, %+v, %v; want 1 and 2 problems", code, v, err)
		}
		if code, _, errOut := c.run("", "plan", "-f", file); code != 1 || !strings.Contains(errOut, "has no userPoolId: name the user pool with --pool") {
			t.Errorf("plan of a file without a pool, none given = %d, %q", code, errOut)
		}

		// Another pool, with an app client of the same name.
		const stage = "us-east-1_Stage1"
		if err := c.srv.AddUserPool(stage, "stage"); err != nil {
			t.Fatal(err)
		}
		if _, err := c.srv.PutAppClient(stage, oauthClient("stageworker1", "worker")); err != nil {
			t.Fatal(err)
		}
		base := []string{"--endpoint", c.srv.URL, "--pool", stage}
		if code, out, errOut := c.run("", append(base, "apply", "-f", file, "--auto-approve")...); code != 0 {
			t.Fatalf("apply of the portable export to %s = %d\n%s\n%s", stage, code, out, errOut)
		}
		if code, out, errOut := c.run("", append(base, "plan", "-f", file, "--detailed-exitcode")...); code != 0 {
			t.Errorf("plan after apply = %d\n%s\n%s", code, out, errOut)
		}
		got, _ := c.srv.AppClient(stage, "stageworker1")
		slices.Sort(got.AllowedOAuthScopes)
		if want := []string{orders + "/orders.admin", orders + "/orders.read"}; !slices.Equal(got.AllowedOAuthScopes, want) {
			t.Errorf("stage worker allows %v, want %v", got.AllowedOAuthScopes, want)
		}
	})
}
