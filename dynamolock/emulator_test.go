package dynamolock_test

import (
	"slices"
	"testing"

	"github.com/scopekeeper/scopekeeper/cognitotest"
)

const testID = "https://api.example.com"

// newServer starts an emulator with one user pool and one resource
// server with the given scopes, and returns it and the pool's id.
func newServer(t *testing.T, scopes ...string) (*cognitotest.Server, string) {
	t.Helper()
	srv := cognitotest.NewServer()
	t.Cleanup(srv.Close)
	pool := srv.CreateUserPool("test")
	rs := cognitotest.ResourceServer{UserPoolID: pool, Identifier: testID, Name: "API"}
	for _, s := range scopes {
		rs.Scopes = append(rs.Scopes, cognitotest.Scope{Name: s, Description: s})
	}
	if err := srv.PutResourceServer(rs); err != nil {
		t.Fatal(err)
	}
	return srv, pool
}

// scopeNames returns the sorted scope names of the emulator's server id.
func scopeNames(t testing.TB, srv *cognitotest.Server, pool, id string) []string {
	t.Helper()
	rs, ok := srv.ResourceServer(pool, id)
	if !ok {
		t.Fatalf("resource server %s/%s is gone", pool, id)
	}
	var names []string
	for _, s := range rs.Scopes {
		names = append(names, s.Name)
	}
	slices.Sort(names)
	return names
}

// updates counts the emulator's UpdateResourceServer requests that
// succeeded.
func updates(srv *cognitotest.Server) int {
	n := 0
	for _, r := range srv.Requests() {
		if r.Operation == "UpdateResourceServer" && r.Applied {
			n++
		}
	}
	return n
}

// lockKey is the key a Client locks for the test's resource server.
func lockKey(pool string) string { return "cognito-idp/" + pool + "/" + testID }
