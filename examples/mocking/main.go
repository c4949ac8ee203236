// Command mocking shows how to test code that uses scopekeeper. Its
// Service registers APIs as resource servers through ScopeStore, a small
// interface that *resourceserver.Client satisfies; main runs it, and its
// tests show the three ways to test such code:
//
//   - service_test.go: a hand-written fake of ScopeStore, for unit tests
//     of Service's own logic, with no HTTP at all;
//   - client_test.go: a hand-written fake of resourceserver.API under a
//     real resourceserver.Client, to see which requests the Client sends;
//   - main_test.go: the local emulator of package cognitotest,
//     end to end through the real SDK client over HTTP.
//
// Run it, then its tests:
//
//	go run ./examples/mocking
//	go test ./examples/mocking
package main

import (
	"context"
	"fmt"
	"io"

	"github.com/scopekeeper/scopekeeper/examples/internal/exampleenv"
	"github.com/scopekeeper/scopekeeper/resourceserver"
)

func main() { exampleenv.Main(run) }

func run(ctx context.Context, out io.Writer, env *exampleenv.Env) error {
	fmt.Fprintf(out, "mocking on %s\n", env)
	svc := &Service{Store: resourceserver.New(env.API()), PoolID: env.PoolID}
	id := env.Identifier("payments")

	read := resourceserver.Scope{Name: "payments.read", Description: "Read payments"}
	refund := resourceserver.Scope{Name: "payments.refund", Description: "Refund payments"}
	for _, step := range []struct {
		what   string
		scopes []resourceserver.Scope
	}{
		{"RegisterAPI (first deployment, creates the resource server)", []resourceserver.Scope{read}},
		{"RegisterAPI (next deployment, one more scope)", []resourceserver.Scope{read, refund}},
	} {
		tokenScopes, err := svc.RegisterAPI(ctx, id, "Payments API", step.scopes...)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "%s:\n", step.what)
		for _, s := range tokenScopes {
			fmt.Fprintf(out, "  %s\n", s)
		}
	}
	fmt.Fprintln(out, "to see Service tested with fakes and with the emulator: go test -v ./examples/mocking")
	return nil
}
