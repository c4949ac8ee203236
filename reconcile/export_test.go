package reconcile_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/google/go-cmp/cmp"

	"github.com/scopekeeper/scopekeeper/appclient"
	"github.com/scopekeeper/scopekeeper/cognitotest"
	"github.com/scopekeeper/scopekeeper/reconcile"
)

// TestExportPortable exports one pool without its ID and by app client
// names, and brings a second pool, whose app clients have other IDs, to
// the same state with it.
func TestExportPortable(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.put(t, "https://orders.example.com", "Orders", "read=Read", "write=Write")
	e.putClient(t, "dev1", "billing-worker", "https://orders.example.com/read", "openid")
	e.putClient(t, "dev2", "shipping", "https://orders.example.com/write")

	f, err := e.rec.ExportPortable(t.Context(), pool, true)
	if err != nil {
		t.Fatalf("ExportPortable() error = %v", err)
	}
	var buf bytes.Buffer
	if err := f.WriteYAML(&buf); err != nil {
		t.Fatal(err)
	}
	want := `resourceServers:
  - identifier: "https://orders.example.com"
    name: "Orders"
    scopes:
      - name: "read"
        description: "Read"
      - name: "write"
        description: "Write"
appClients:
  - clientName: "billing-worker"
    scopes:
      - "https://orders.example.com/read"
  - clientName: "shipping"
    scopes:
      - "https://orders.example.com/write"
`
	if diff := cmp.Diff(want, buf.String()); diff != "" {
		t.Fatalf("WriteYAML() of the portable export (-want +got):\n%s", diff)
	}

	// Another pool with the same app client names, other IDs.
	const stage = "us-east-1_Stage1"
	if err := e.srv.AddUserPool(stage, "stage"); err != nil {
		t.Fatal(err)
	}
	for id, name := range map[string]string{"stage1": "billing-worker", "stage2": "shipping"} {
		if _, err := e.srv.PutAppClient(stage, types.UserPoolClientType{ClientId: aws.String(id), ClientName: aws.String(name),
			ClientSecret: aws.String("s3cr3ts3cr3ts3cr3ts3cr3ts3cr3t"), AllowedOAuthFlowsUserPoolClient: aws.Bool(true),
			AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeClientCredentials}}); err != nil {
			t.Fatal(err)
		}
	}
	read, err := reconcile.Parse("portable.yaml", buf.Bytes())
	if err != nil {
		t.Fatalf("Parse() of the portable export: %v", err)
	}
	p, err := e.rec.Plan(t.Context(), read, reconcile.PlanOptions{UserPoolID: stage})
	if err != nil {
		t.Fatalf("Plan(stage) error = %v", err)
	}
	if add, change, _ := p.Counts(); add != 1 || change != 2 {
		t.Fatalf("Plan(stage) = %d to add, %d to change; want 1, 2:\n%s", add, change, p)
	}
	e.apply(t, p, reconcile.ApplyOptions{})
	if p, err = e.rec.Plan(t.Context(), read, reconcile.PlanOptions{UserPoolID: stage}); err != nil || p.HasChanges() {
		t.Fatalf("Plan(stage) after apply = %v, %v; want no changes", p, err)
	}
	if c, _ := e.srv.AppClient(stage, "stage1"); !cmp.Equal(c.AllowedOAuthScopes, []string{"https://orders.example.com/read"}) {
		t.Errorf("stage1 allows %v", c.AllowedOAuthScopes)
	}

	// Without a pool named, a portable file cannot be planned.
	_, err = e.rec.Plan(t.Context(), read, reconcile.PlanOptions{})
	var fe *reconcile.FileError
	if !errors.As(err, &fe) || fe.Problems[0].Rule != reconcile.RulePool {
		t.Errorf("Plan() of a file without a pool, none given = %v, want a FileError of RulePool", err)
	}
}

// TestExportPortableSharedName: two app clients of one name cannot be
// told apart without IDs.
func TestExportPortableSharedName(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.put(t, "https://orders.example.com", "Orders", "read=Read")
	e.putClient(t, "a1", "worker", "https://orders.example.com/read")
	e.putClient(t, "a2", "worker", "https://orders.example.com/read")
	_, err := e.rec.ExportPortable(t.Context(), pool, true)
	var p *reconcile.Problem
	if !errors.As(err, &p) || p.Rule != reconcile.RuleUnknownClient || p.Value != "worker" {
		t.Fatalf("ExportPortable() error = %v, want a Problem of RuleUnknownClient for \"worker\"", err)
	}
	// Without app clients the export is portable.
	if f, err := e.rec.ExportPortable(t.Context(), pool, false); err != nil || f.UserPoolID != "" || len(f.AppClients) != 0 {
		t.Errorf("ExportPortable(apps false) = %+v, %v", f, err)
	}
}

func ExampleReconciler_ExportPortable() {
	srv := emulator()
	defer srv.Close()
	pool := srv.CreateUserPool("dev")
	if err := srv.PutResourceServer(cognitotest.ResourceServer{UserPoolID: pool, Identifier: "https://orders.example.com", Name: "Orders",
		Scopes: []cognitotest.Scope{{Name: "orders.read", Description: "Read orders"}}}); err != nil {
		fmt.Println(err)
		return
	}
	if _, err := srv.PutAppClient(pool, types.UserPoolClientType{ClientName: aws.String("billing-worker"), ClientSecret: aws.String("s3cr3ts3cr3ts3cr3ts3cr3ts3cr3t"),
		AllowedOAuthFlowsUserPoolClient: aws.Bool(true), AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeClientCredentials},
		AllowedOAuthScopes: []string{"https://orders.example.com/orders.read"}}); err != nil {
		fmt.Println(err)
		return
	}
	api := srv.Client()
	rec := reconcile.New(api, appclient.New(api))
	f, err := rec.ExportPortable(context.Background(), pool, true)
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = f.WriteYAML(os.Stdout)
	// Output:
	// resourceServers:
	//   - identifier: "https://orders.example.com"
	//     name: "Orders"
	//     scopes:
	//       - name: "orders.read"
	//         description: "Read orders"
	// appClients:
	//   - clientName: "billing-worker"
	//     scopes:
	//       - "https://orders.example.com/orders.read"
}
