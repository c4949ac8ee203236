package cognitotest_test

import (
	"testing"
	"time"

	rst "github.com/scopekeeper/scopekeeper/cognitotest"
)

// TestReadTimeoutSparesDelays checks that Timeouts.Read bounds only the reading of a request (as
// net/http clears the read deadline once the body is read): a Fault's Delay that outlasts it
// still ends in an answer. It runs on a real socket, where the
// timeout lives, so it waits on the wall clock (a few hundred milliseconds).
func TestReadTimeoutSparesDelays(t *testing.T) {
	t.Parallel()
	s := rst.NewServer(rst.WithTimeouts(rst.Timeouts{ReadHeader: 100 * time.Millisecond, Read: 100 * time.Millisecond, Idle: time.Minute}))
	t.Cleanup(s.Close)
	pool := s.CreateUserPool("test")
	if err := s.PutResourceServer(rst.ResourceServer{UserPoolID: pool, Identifier: "api", Name: "API"}); err != nil {
		t.Fatal(err)
	}
	if err := s.FailNext("DescribeResourceServer", 1, rst.Fault{Delay: 400 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	if err := describe(t.Context(), s.Client(oneShot), pool, "api"); err != nil {
		t.Errorf("describe delayed past the read timeout = %v, want success", err)
	}
	if got := s.Requests(); len(got) != 1 || got[0].Status != 200 {
		t.Errorf("Requests() = %+v, want one answered request", got)
	}
}
