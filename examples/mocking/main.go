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
	"log"
	"os"
	"os/signal"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/scopekeeper/scopekeeper/cognitotest"
	"github.com/scopekeeper/scopekeeper/resourceserver"
)

// main runs the example on a Cognito emulator started in the process, so
// nothing leaves the machine. To run it on a user pool of your own, call
// run with that pool's ID and
//
//	func(o ...func(*cognitoidentityprovider.Options)) *cognitoidentityprovider.Client {
//		return cognitoidentityprovider.NewFromConfig(cfg, o...) // cfg from config.LoadDefaultConfig
//	}
func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	srv := cognitotest.NewServer()
	err := run(ctx, os.Stdout, srv.Client, srv.CreateUserPool("mocking"))
	srv.Close()
	stop()
	if err != nil {
		log.Fatalf("mocking: %v", err)
	}
}

// apiFunc returns an SDK client for the user pool, changed by optFns; each
// call returns a separate client, as separate processes would have.
type apiFunc = func(optFns ...func(*cip.Options)) *cip.Client

func run(ctx context.Context, out io.Writer, api apiFunc, pool string) error {
	fmt.Fprintln(out, "mocking")
	svc := &Service{Store: resourceserver.New(api()), PoolID: pool}
	id := "https://payments.example.com"

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
