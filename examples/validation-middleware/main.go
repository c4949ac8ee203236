// Command validation-middleware shows validate.WithValidation on a plain
// Cognito SDK client, for code that calls the SDK directly rather than
// through a resourceserver.Client. The middleware checks the input of the
// five resource-server operations against every rule Cognito applies and
// refuses a bad one before anything is sent, listing every violation with
// its field path and rule; Cognito itself checks only on arrival, and the
// SDK only that required members are present.
//
// It sends a bad UpdateResourceServer, prints each violation and the
// number of HTTP requests made (none), sends the same call through a
// client without the middleware for contrast (Cognito refuses it), then
// sends a good CreateResourceServer through the validating client.
//
//	go run ./examples/validation-middleware
//
// It runs on a Cognito emulator started in the process, whose request log
// shows that the refused call never reached it.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"os/signal"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"

	"github.com/scopekeeper/scopekeeper/cognitotest"
	rserrors "github.com/scopekeeper/scopekeeper/errors"
	"github.com/scopekeeper/scopekeeper/validate"
)

// main runs the example on a Cognito emulator started in the process, whose
// request log shows what reached it.
func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	srv := cognitotest.NewServer()
	err := run(ctx, os.Stdout, srv, srv.CreateUserPool("validation-middleware"))
	srv.Close()
	stop()
	if err != nil {
		log.Fatalf("validation-middleware: %v", err)
	}
}

func run(ctx context.Context, out io.Writer, srv *cognitotest.Server, pool string) error {
	fmt.Fprintln(out, "validation-middleware")
	var sent atomic.Int64
	// In a service: cognitoidentityprovider.NewFromConfig(cfg, validate.WithValidation)
	api := srv.Client(validate.WithValidation, countRequests(&sent))
	id := "https://catalog.example.com"

	bad := &cip.UpdateResourceServerInput{
		UserPoolId: aws.String(pool),
		Identifier: aws.String(id),
		Name:       aws.String("Catalog/API"),
		Scopes: []types.ResourceServerScopeType{
			{ScopeName: aws.String("catalog/read"), ScopeDescription: aws.String("Read the catalog")},
			{ScopeName: aws.String("catalog.write"), ScopeDescription: aws.String("")},
			{ScopeName: aws.String("catalog.write"), ScopeDescription: aws.String("Change the catalog")},
		},
	}
	_, err := api.UpdateResourceServer(ctx, bad)
	var ve *rserrors.ValidationError
	if !errors.As(err, &ve) {
		return fmt.Errorf("bad UpdateResourceServer returned %v, want a *rserrors.ValidationError", err)
	}
	var opErr *smithy.OperationError
	if !errors.As(err, &opErr) {
		return fmt.Errorf("bad UpdateResourceServer returned %T, want it inside a *smithy.OperationError", err)
	}
	fmt.Fprintf(out, "bad %s refused on the client: %d violations (rserrors.IsValidation = %t)\n",
		opErr.Operation(), len(ve.Violations), rserrors.IsValidation(err))
	for _, v := range ve.Violations {
		fmt.Fprintf(out, "  %-27s %-8s %s\n", v.Field, v.Rule, v.Detail)
	}
	fmt.Fprintf(out, "requests sent: %d%s\n", sent.Load(), emulatorCount(srv))

	// For contrast, the same call without the middleware reaches the service,
	// which refuses it with one InvalidParameterException.
	_, err = srv.Client().UpdateResourceServer(ctx, bad)
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		return fmt.Errorf("UpdateResourceServer without the middleware returned %v, want an error from Cognito", err)
	}
	fmt.Fprintf(out, "without the middleware: sent, and refused by the service with %s%s\n", apiErr.ErrorCode(), emulatorCount(srv))

	good := &cip.CreateResourceServerInput{
		UserPoolId: aws.String(pool),
		Identifier: aws.String(id),
		Name:       aws.String("Catalog API"),
		Scopes: []types.ResourceServerScopeType{
			{ScopeName: aws.String("catalog.read"), ScopeDescription: aws.String("Read the catalog")},
		},
	}
	created, err := api.CreateResourceServer(ctx, good)
	if err != nil {
		return fmt.Errorf("good CreateResourceServer: %w", rserrors.From(err))
	}
	fmt.Fprintf(out, "good CreateResourceServer passed the check and was sent: %s %q created\n",
		aws.ToString(created.ResourceServer.Identifier), aws.ToString(created.ResourceServer.Name))
	fmt.Fprintf(out, "requests sent through the validating client: %d\n", sent.Load())
	return nil
}

// emulatorCount returns " (the emulator has received N)", from the
// emulator's request log, which counts every request that reached it.
func emulatorCount(srv *cognitotest.Server) string {
	return fmt.Sprintf(" (the emulator has received %d)", len(srv.Requests()))
}

// countRequests returns an SDK option that counts in n every HTTP request
// the client sends, retries included.
func countRequests(n *atomic.Int64) func(*cip.Options) {
	return func(o *cip.Options) {
		o.HTTPClient = countingHTTPClient{next: o.HTTPClient, n: n}
	}
}

// countingHTTPClient counts the requests it passes to next.
type countingHTTPClient struct {
	next cip.HTTPClient
	n    *atomic.Int64
}

// Do counts r and sends it through next.
func (c countingHTTPClient) Do(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.next.Do(r)
}
