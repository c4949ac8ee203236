package main

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scopekeeper/scopekeeper/cognitotest"
)

// TestRun runs the example against the emulator and checks its
// output, what reached the emulator and what it stored.
func TestRun(t *testing.T) {
	t.Parallel()
	srv := cognitotest.NewServer()
	t.Cleanup(srv.Close)
	pool := srv.CreateUserPool("test")
	var out strings.Builder
	if err := run(t.Context(), &out, srv, pool); err != nil {
		t.Fatalf("run() = %v\noutput:\n%s", err, out.String())
	}
	want := `validation-middleware
bad UpdateResourceServer refused on the client: 4 violations (rserrors.IsValidation = true)
  Name                        pattern  must match [\w\s+=,.@-]+: character '/' (U+002F) at index 7 is not allowed
  Scopes[0].ScopeName         pattern  must match [\x21\x23-\x2E\x30-\x5B\x5D-\x7E]+: character '/' (U+002F) at index 7 is not allowed
  Scopes[1].ScopeDescription  length   length must be 1 to 256 code points, got 0
  Scopes[2].ScopeName         unique   repeats the scope name at Scopes[1]
requests sent: 0 (the emulator has received 0)
without the middleware: sent, and refused by the service with InvalidParameterException (the emulator has received 1)
good CreateResourceServer passed the check and was sent: https://catalog.example.com "Catalog API" created
requests sent through the validating client: 1
`
	if diff := cmp.Diff(want, out.String()); diff != "" {
		t.Errorf("output (-want +got):\n%s", diff)
	}

	type call struct{ Operation, Code string }
	var got []call
	for _, r := range srv.Requests() {
		got = append(got, call{r.Operation, r.Code})
	}
	wantCalls := []call{
		{"UpdateResourceServer", "InvalidParameterException"}, // the one sent without the middleware
		{"CreateResourceServer", ""},
	}
	if diff := cmp.Diff(wantCalls, got); diff != "" {
		t.Errorf("requests received by the emulator (-want +got):\n%s", diff)
	}
	stored, ok := srv.ResourceServer(pool, "https://catalog.example.com")
	wantStored := cognitotest.ResourceServer{
		UserPoolID: pool, Identifier: "https://catalog.example.com", Name: "Catalog API",
		Scopes: []cognitotest.Scope{{Name: "catalog.read", Description: "Read the catalog"}},
	}
	if !ok {
		t.Fatal("the emulator holds no https://catalog.example.com")
	}
	if diff := cmp.Diff(wantStored, stored); diff != "" {
		t.Errorf("stored server (-want +got):\n%s", diff)
	}
}
