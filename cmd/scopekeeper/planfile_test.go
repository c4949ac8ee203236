package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/scopekeeper/scopekeeper/cognitotest"
)

// TestApplySavedPlanChecked: apply PLANFILE checks the plan against the
// pool it reads and the place it was made for, whatever the file says:
// nothing is written when it refuses.
func TestApplySavedPlanChecked(t *testing.T) {
	t.Parallel()
	other := cognitotest.NewServer()
	t.Cleanup(other.Close)
	for _, tc := range []struct {
		name  string
		edit  func(map[string]any)
		flags []string
		want  string // what standard error says
	}{
		{"dangling removed from the plan", func(m map[string]any) { delete(m, "dangling") }, nil, "--allow-dangling"},
		{"another user pool", nil, []string{"--pool", "us-east-1_Other1"}, "is a plan for user pool " + pool + ", not us-east-1_Other1"},
		{"another endpoint", nil, []string{"--endpoint", other.URL}, "was made for endpoint"},
		{"another region", nil, []string{"--region", "eu-west-1"}, "was made for region us-east-1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := newCLI(t)
			if err := c.srv.PutResourceServer(cognitotest.ResourceServer{UserPoolID: pool, Identifier: "https://orders.example.com", Name: "Orders API",
				Scopes: []cognitotest.Scope{{Name: "orders.read", Description: "Read orders"}, {Name: "orders.write", Description: "Write orders"}, {Name: "orders.admin", Description: "Administer"}}}); err != nil {
				t.Fatal(err)
			}
			if _, err := c.srv.PutAppClient(pool, types.UserPoolClientType{
				ClientId: aws.String("worker1"), ClientName: aws.String("worker"), ClientSecret: aws.String("s3cr3ts3cr3ts3cr3ts3cr3ts3cr3t"),
				AllowedOAuthFlowsUserPoolClient: aws.Bool(true), AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeClientCredentials},
				AllowedOAuthScopes: []string{"https://orders.example.com/orders.admin"},
			}); err != nil {
				t.Fatal(err)
			}
			file := c.write("scopes.yaml", ordersFile)
			planFile := filepath.Join(c.dir, "scopes.plan")
			if code, _, errOut := c.run("", "plan", "-f", file, "--out", planFile); code != 0 {
				t.Fatalf("plan --out = %d: %s", code, errOut)
			}
			if tc.edit != nil {
				b, err := os.ReadFile(planFile)
				if err != nil {
					t.Fatal(err)
				}
				var m map[string]any
				if err := json.Unmarshal(b, &m); err != nil {
					t.Fatal(err)
				}
				tc.edit(m)
				if b, err = json.Marshal(m); err != nil {
					t.Fatal(err)
				}
				c.write("scopes.plan", string(b))
			}
			args := []string{"apply", planFile}
			if tc.flags != nil {
				// The flags that name the place replace newCLI's.
				c.noFlags = true
				args = append([]string{"--endpoint", c.srv.URL, "--pool", pool}, args...)
				args = append(args, tc.flags...)
			}
			code, out, errOut := c.run("", args...)
			if code != 1 || !strings.Contains(errOut, tc.want) {
				t.Errorf("apply PLANFILE = %d\nstdout:\n%s\nstderr:\n%s\nwant 1 and %q", code, out, errOut, tc.want)
			}
			rs, _ := c.srv.ResourceServer(pool, "https://orders.example.com")
			if len(rs.Scopes) != 3 {
				t.Errorf("the refused apply wrote: %+v", rs.Scopes)
			}
		})
	}
}

// TestApplyPrintsStepsAsTheyLand: each resource-server step's line comes
// as its write lands, before any final outcome of the wave, and its final
// outcome follows. In a synctest bubble: the pacing and the wave's settle
// pass in virtual time.
func TestApplyPrintsStepsAsTheyLand(t *testing.T) {
	t.Parallel()
	synctest.Test(t, testApplyPrintsStepsAsTheyLand)
}

func testApplyPrintsStepsAsTheyLand(t *testing.T) {
	c := newCLI(t)
	file := c.write("two.yaml", `userPoolId: `+pool+`
resourceServers:
  - {identifier: https://a.example.com, name: A, scopes: [{name: x, description: x}]}
  - {identifier: https://b.example.com, name: B, scopes: [{name: x, description: x}]}
`)
	code, out, errOut := c.run("", "apply", "-f", file, "--auto-approve")
	if code != 0 {
		t.Fatalf("apply = %d\n%s\n%s", code, out, errOut)
	}
	var lines []string
	for _, l := range strings.Split(errOut, "\n") {
		if strings.HasPrefix(l, "[") {
			lines = append(lines, l[strings.IndexByte(l, ']')+2:])
		}
	}
	written := []string{"create https://a.example.com: written, not verified", "create https://b.example.com: written, not verified"}
	done := []string{"create https://a.example.com: done", "create https://b.example.com: done"}
	if len(lines) != 4 {
		t.Fatalf("step lines:\n%s\nwant two as the writes land, then two done", strings.Join(lines, "\n"))
	}
	first, last := slices.Sorted(slices.Values(lines[:2])), slices.Sorted(slices.Values(lines[2:]))
	if !slices.Equal(first, written) || !slices.Equal(last, done) {
		t.Errorf("step lines:\n%s\nwant %q, then %q", strings.Join(lines, "\n"), written, done)
	}
}
