package resourceserver_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	rserrors "github.com/scopekeeper/scopekeeper/errors"
	"github.com/scopekeeper/scopekeeper/resourceserver"
)

const (
	testPool = "us-east-1_Test12345"
	testID   = "https://orders.example.com"
)

// makeScopes returns n scopes named "scope-0", "scope-1", ...
func makeScopes(n int) []resourceserver.Scope {
	s := make([]resourceserver.Scope, n)
	for i := range s {
		s[i] = resourceserver.Scope{Name: fmt.Sprintf("scope-%d", i), Description: fmt.Sprintf("Scope number %d", i)}
	}
	return s
}

// makeServer returns a resource server of testPool and testID with the
// given scopes.
func makeServer(scopes ...resourceserver.Scope) resourceserver.ResourceServer {
	return resourceserver.ResourceServer{UserPoolID: testPool, Identifier: testID, Name: "Orders API", Scopes: scopes}
}

var (
	readScope  = resourceserver.Scope{Name: "orders.read", Description: "Read orders"}
	writeScope = resourceserver.Scope{Name: "orders.write", Description: "Write orders"}
	adminScope = resourceserver.Scope{Name: "orders.admin", Description: "Administer orders"}
)

// newTestClient returns a Client on api without rate limits and without
// backoff delay, changed further by optFns.
func newTestClient(api resourceserver.API, optFns ...func(*resourceserver.Options)) *resourceserver.Client {
	return resourceserver.New(api, append([]func(*resourceserver.Options){func(o *resourceserver.Options) {
		o.DisableRateLimit = true
		o.Backoff = func(int) time.Duration { return 0 }
	}}, optFns...)...)
}

func noVerify(o *resourceserver.Options) { o.DisableVerify = true }

// violation returns the first violation of err with the given field, or
// nil.
func violation(err error, field string) *rserrors.FieldError {
	var ve *rserrors.ValidationError
	if !errors.As(err, &ve) {
		return nil
	}
	for _, v := range ve.Violations {
		if v.Field == field {
			return v
		}
	}
	return nil
}

// checkOpError fails t unless err is an *OpError for op on testPool and
// id.
func checkOpError(t *testing.T, err error, op, id string) {
	t.Helper()
	var oe *resourceserver.OpError
	if !errors.As(err, &oe) {
		t.Fatalf("error %v (%T) is not an *OpError", err, err)
	}
	if oe.Op != op || oe.UserPoolID != testPool || oe.Identifier != id {
		t.Errorf("OpError{Op: %q, UserPoolID: %q, Identifier: %q}, want {%q, %q, %q}",
			oe.Op, oe.UserPoolID, oe.Identifier, op, testPool, id)
	}
}

// atOnce runs f(0) to f(n-1), each in its own goroutine, released together
// once all are created, and returns when all have returned.
func atOnce(n int, f func(i int)) {
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			f(i)
		}()
	}
	close(start)
	wg.Wait()
}
