package main

import (
	"strings"
	"testing"
	"testing/synctest"

	"github.com/google/go-cmp/cmp"

	"github.com/scopekeeper/scopekeeper/cognitotest"
	"github.com/scopekeeper/scopekeeper/resourceserver"
)

// TestRegisterAPIEndToEnd runs Service on a real Client and a real SDK
// client against the local emulator, over HTTP, and checks what the
// emulator then stores.
func TestRegisterAPIEndToEnd(t *testing.T) {
	t.Parallel()
	legacy := cognitotest.Scope{Name: "payments.legacy", Description: "Old payment scope"}
	tests := []struct {
		name     string
		existing *cognitotest.ResourceServer // stored before RegisterAPI
		want     cognitotest.ResourceServer
	}{
		{
			name: "new server",
			want: cognitotest.ResourceServer{
				UserPoolID: testPool, Identifier: testID, Name: "Payments API",
				Scopes: []cognitotest.Scope{
					{Name: "payments.read", Description: "Read payments"},
					{Name: "payments.refund", Description: "Refund payments"},
				},
			},
		},
		{
			name: "existing server keeps its scopes",
			existing: &cognitotest.ResourceServer{
				UserPoolID: testPool, Identifier: testID, Name: "Payments",
				Scopes: []cognitotest.Scope{legacy},
			},
			want: cognitotest.ResourceServer{
				UserPoolID: testPool, Identifier: testID, Name: "Payments",
				Scopes: []cognitotest.Scope{
					legacy,
					{Name: "payments.read", Description: "Read payments"},
					{Name: "payments.refund", Description: "Refund payments"},
				},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := cognitotest.NewServer()
			t.Cleanup(srv.Close)
			if err := srv.AddUserPool(testPool, "test"); err != nil {
				t.Fatal(err)
			}
			if tt.existing != nil {
				if err := srv.PutResourceServer(*tt.existing); err != nil {
					t.Fatal(err)
				}
			}
			client := resourceserver.New(srv.Client(), func(o *resourceserver.Options) { o.DisableRateLimit = true })
			svc := &Service{Store: client, PoolID: testPool}
			// Twice: the second run must change nothing.
			for range 2 {
				got, err := svc.RegisterAPI(t.Context(), testID, "Payments API", readScope, refundScope)
				if err != nil {
					t.Fatalf("RegisterAPI() error = %v", err)
				}
				want := []string{testID + "/payments.read", testID + "/payments.refund"}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("RegisterAPI() token scopes (-want +got):\n%s", diff)
				}
			}
			stored, ok := srv.ResourceServer(testPool, testID)
			if !ok {
				t.Fatalf("the emulator holds no %s", testID)
			}
			if diff := cmp.Diff(tt.want, stored); diff != "" {
				t.Errorf("stored server (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRun runs the program against the emulator.
// The emulator runs in process, in a synctest bubble: the pacing waits
// pass in virtual time. main runs it over loopback in CI.
func TestRun(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := cognitotest.NewInProcessServer()
		t.Cleanup(srv.Close)
		pool := srv.CreateUserPool("test")
		var out strings.Builder
		err := run(t.Context(), &out, srv.Client, pool)
		if err != nil {
			t.Fatalf("run() = %v\noutput:\n%s", err, out.String())
		}
		want := `mocking
RegisterAPI (first deployment, creates the resource server):
  https://payments.example.com/payments.read
RegisterAPI (next deployment, one more scope):
  https://payments.example.com/payments.read
  https://payments.example.com/payments.refund
to see Service tested with fakes and with the emulator: go test -v ./examples/mocking
`
		if diff := cmp.Diff(want, out.String()); diff != "" {
			t.Errorf("output (-want +got):\n%s", diff)
		}
	})
}
