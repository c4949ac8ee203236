package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/google/go-cmp/cmp"

	"github.com/scopekeeper/scopekeeper/appclient"
	"github.com/scopekeeper/scopekeeper/cognitotest"
	"github.com/scopekeeper/scopekeeper/resourceserver"
)

func TestAudit(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		c := newCLI(t)
		seed(t, c) // orders: read, write, admin; worker1 allows read and admin
		// 90 scopes on a second server: at 90% of the 100-scope quota.
		big := cognitotest.ResourceServer{UserPoolID: pool, Identifier: "https://big.example.com", Name: "Big"}
		for i := range 90 {
			big.Scopes = append(big.Scopes, cognitotest.Scope{Name: fmt.Sprintf("s%02d", i), Description: "S"})
		}
		if err := c.srv.PutResourceServer(big); err != nil {
			t.Fatal(err)
		}
		grants := []string{orders + "/orders.write"}
		for _, s := range big.Scopes {
			grants = append(grants, big.Identifier+"/"+s.Name)
		}
		for i := 0; i < len(grants); i += 40 {
			if _, err := c.srv.PutAppClient(pool, oauthClient(fmt.Sprintf("user%d", i), "user", grants[i:min(i+40, len(grants))]...)); err != nil {
				t.Fatal(err)
			}
		}
		// An OAuth app client with no scope, and one without OAuth.
		if _, err := c.srv.PutAppClient(pool, types.UserPoolClientType{ClientId: aws.String("bare1"), ClientName: aws.String("bare"),
			AllowedOAuthFlowsUserPoolClient: aws.Bool(true), AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeCode},
			CallbackURLs: []string{"https://app.example.com/cb"}, SupportedIdentityProviders: []string{"COGNITO"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.srv.PutAppClient(pool, types.UserPoolClientType{ClientId: aws.String("plain1"), ClientName: aws.String("plain")}); err != nil {
			t.Fatal(err)
		}
		// orders.admin becomes inactive on worker1.
		if code, _, errOut := c.run("", "remove-scope", orders, "orders.admin", "--allow-dangling"); code != 0 {
			t.Fatalf("remove-scope = %d: %s", code, errOut)
		}

		code, out, errOut := c.run("", "-o", "json", "audit", "--detailed-exitcode")
		if code != exitChanges {
			t.Fatalf("audit --detailed-exitcode = %d, want 2: %s", code, errOut)
		}
		var got audit
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("audit -o json: %v\n%s", err, out)
		}
		want := audit{
			UserPoolID: pool, ResourceServers: 2, AppClients: 6,
			InactiveGrants:     []auditGrant{{Scope: orders + "/orders.admin", Clients: []auditClient{{"worker1", "worker"}}}},
			UnusedScopes:       []string{},
			OAuthWithoutScopes: []auditClient{{"bare1", "bare"}},
			NearQuota:          []auditQuota{{Identifier: big.Identifier, Of: "scopes", Used: 90, Quota: 100}},
			Findings:           3,
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("audit (-want +got):\n%s", diff)
		}

		var text bytes.Buffer
		if err := (&app{stdout: &text}).printAudit(&got, defaultNearPercent); err != nil {
			t.Fatal(err)
		}
		for _, line := range []string{
			"Audit of user pool us-east-1_Example1 (2 resource server(s), 6 app client(s)): 3 finding(s).",
			"  https://orders.example.com/orders.admin  worker (worker1)",
			"  bare (bare1)",
			"  https://big.example.com  90 of 100 scopes",
		} {
			if !strings.Contains(text.String(), line+"\n") {
				t.Errorf("audit text lacks the line %q:\n%s", line, text.String())
			}
		}
		for _, args := range [][]string{{"audit", "--near", "0"}, {"audit", "--server-quota", "0"}} {
			if code, _, errOut := c.run("", args...); code != 1 || !strings.Contains(errOut, "--help") {
				t.Errorf("run(%q) = %d, %q; want 1 and a usage hint", args, code, errOut)
			}
		}
	})
}

// TestAuditThresholds checks the quota findings at their edges, on a pool
// read without I/O.
func TestAuditThresholds(t *testing.T) {
	t.Parallel()
	server := func(id string, n int) resourceserver.ResourceServer {
		rs := resourceserver.ResourceServer{Identifier: id, Name: "N"}
		for i := range n {
			rs.Scopes = append(rs.Scopes, resourceserver.Scope{Name: fmt.Sprint(i), Description: "d"})
		}
		return rs
	}
	holdAll := func(servers ...resourceserver.ResourceServer) appclient.Grants {
		g := appclient.Grants{AppClients: 1}
		for _, rs := range servers {
			for _, t := range rs.TokenScopes() {
				g.Scopes = append(g.Scopes, appclient.ScopeGrant{Scope: t, Clients: []appclient.ClientRef{{ID: "c", Name: "c"}}})
			}
		}
		slices.SortFunc(g.Scopes, func(a, b appclient.ScopeGrant) int { return strings.Compare(a.Scope, b.Scope) })
		return g
	}
	a89, b90 := server("https://a", 89), server("https://b", 90)
	for _, tc := range []struct {
		name        string
		servers     []resourceserver.ResourceServer
		near, quota int
		want        []auditQuota
	}{
		{"89 and 90 of 100 at 90%", []resourceserver.ResourceServer{a89, b90}, 90, 25,
			[]auditQuota{{Identifier: "https://b", Of: "scopes", Used: 90, Quota: 100}}},
		{"at 95% neither", []resourceserver.ResourceServer{a89, b90}, 95, 25, []auditQuota{}},
		{"2 of 2 servers", []resourceserver.ResourceServer{a89, b90}, 95, 2, []auditQuota{{Of: "resourceServers", Used: 2, Quota: 2}}},
		{"2 of 3 servers at 66% and 67%", []resourceserver.ResourceServer{server("https://c", 1), server("https://d", 1)}, 67, 3, []auditQuota{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := auditRead{pool: pool, servers: tc.servers, grants: holdAll(tc.servers...)}
			got := r.findings(tc.near, tc.quota)
			if diff := cmp.Diff(tc.want, got.NearQuota); diff != "" {
				t.Errorf("findings(%d, %d).NearQuota (-want +got):\n%s", tc.near, tc.quota, diff)
			}
			if len(got.UnusedScopes) != 0 || got.Findings != len(tc.want) {
				t.Errorf("findings: %d unused scopes, %d findings; want 0, %d", len(got.UnusedScopes), got.Findings, len(tc.want))
			}
		})
	}
}

func TestAuditClean(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		c := newCLI(t)
		if err := c.srv.PutResourceServer(cognitotest.ResourceServer{UserPoolID: pool, Identifier: orders, Name: "Orders",
			Scopes: []cognitotest.Scope{{Name: "orders.read", Description: "Read"}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.srv.PutAppClient(pool, oauthClient("worker1", "worker", orders+"/orders.read")); err != nil {
			t.Fatal(err)
		}
		code, out, errOut := c.run("", "audit", "--detailed-exitcode")
		if code != 0 || out != "No findings in user pool us-east-1_Example1 (1 resource server(s), 1 app client(s)).\n" {
			t.Errorf("audit of a clean pool = %d, %q (stderr %q)", code, out, errOut)
		}
	})
}
