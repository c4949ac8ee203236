// Command quickstart shows the life of a resource server through a
// resourceserver.Client: ensure it exists with its scopes (what a service
// does at start-up), add scopes, rename it (the scopes stay, although
// Cognito's UpdateResourceServer deletes every scope it is not sent),
// apply a Change that removes one scope and describes another anew, list
// the pool, print the scope strings that access tokens carry, delete it,
// and tell a missing resource server from a missing user pool with
// rserrors.IsResourceServerNotFound.
//
// It runs on a Cognito emulator started in the process:
//
//	go run ./examples/quickstart
//
// main says how to run it on a user pool of your own, where it creates and
// at the end deletes the resource server https://orders.example.com (use a
// pool where that identifier is free). It imports only public packages, so
// it can be copied out of this repository. The Client keeps to Cognito's quota of 5 requests per second per user
// pool and category, so the run takes about two seconds.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"strings"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/scopekeeper/scopekeeper/cognitotest"
	rserrors "github.com/scopekeeper/scopekeeper/errors"
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
	err := run(ctx, os.Stdout, srv.Client, srv.CreateUserPool("quickstart"))
	srv.Close()
	stop()
	if err != nil {
		log.Fatalf("quickstart: %v", err)
	}
}

// apiFunc returns an SDK client for the user pool, changed by optFns; each
// call returns a separate client, as separate processes would have.
type apiFunc = func(optFns ...func(*cip.Options)) *cip.Client

func run(ctx context.Context, out io.Writer, api apiFunc, pool string) error {
	fmt.Fprintln(out, "scopekeeper quickstart")
	fmt.Fprintln(out, "(requests are paced at Cognito's quota: 5 per second per user pool and category)")

	// In a service: c := resourceserver.New(cognitoidentityprovider.NewFromConfig(cfg))
	c := resourceserver.New(api())
	pool, id := pool, "https://orders.example.com"

	// Ensure creates the resource server, or adds its scopes and keeps the
	// others: safe when every replica of a service calls it at start-up.
	rs, err := c.Ensure(ctx, resourceserver.ResourceServer{UserPoolID: pool, Identifier: id, Name: "Orders API",
		Scopes: []resourceserver.Scope{{Name: "orders.read", Description: "Read orders"}}})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "ensured  %s %q, scopes: %s\n", rs.Identifier, rs.Name, names(rs))

	rs, err = c.AddScopes(ctx, pool, id,
		resourceserver.Scope{Name: "orders.write", Description: "Create and change orders"},
		resourceserver.Scope{Name: "orders.admin", Description: "Administer orders"},
	)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "added    scopes: %s\n", names(rs))

	rs, err = c.Rename(ctx, pool, id, "Orders API v2")
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "renamed  to %q, scopes kept: %s\n", rs.Name, names(rs))

	// A Change is a value: print it, plan with it, then apply it.
	ch := resourceserver.Change{}.
		Remove("orders.admin").
		Add(resourceserver.Scope{Name: "orders.read", Description: "Read every order"})
	fmt.Fprintf(out, "applying the change:\n%s\n", indent(ch.String()))
	rs, err = c.Apply(ctx, pool, id, ch)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "applied  scopes: %s\n", names(rs))

	total, found := 0, false
	for s, err := range c.List(ctx, pool) {
		if err != nil {
			return err
		}
		total++
		found = found || s.Identifier == id
	}
	if !found {
		return fmt.Errorf("list: %s is missing from the pool's resource servers", id)
	}
	fmt.Fprintf(out, "listed   %d resource server(s) in the pool, ours among them\n", total)

	fmt.Fprintln(out, "token scopes (in access tokens and app clients' AllowedOAuthScopes):")
	for _, s := range rs.TokenScopes() {
		fmt.Fprintf(out, "  %s\n", s)
	}

	if err := c.Delete(ctx, pool, id); err != nil {
		return err
	}
	fmt.Fprintf(out, "deleted  %s\n", id)

	_, err = c.Get(ctx, pool, id)
	if !rserrors.IsResourceServerNotFound(err) || rserrors.IsUserPoolNotFound(err) {
		return fmt.Errorf("get after delete returned %v, want a missing resource server", err)
	}
	var op *rserrors.OpError
	var notFound *rserrors.ResourceNotFoundError
	if !errors.As(err, &op) || !errors.As(err, &notFound) {
		return fmt.Errorf("get after delete returned %T, want an *OpError holding a *ResourceNotFoundError", err)
	}
	fmt.Fprintln(out, "get after delete: rserrors.IsResourceServerNotFound(err) = true")
	fmt.Fprintf(out, "  OpError.Op = %s; cause %s: %s\n", op.Op, notFound.Code, notFound.Message)
	return nil
}

// indent indents each line of s by two spaces.
func indent(s string) string { return "  " + strings.ReplaceAll(s, "\n", "\n  ") }

// names returns the scope names of rs, comma-separated.
func names(rs resourceserver.ResourceServer) string {
	n := make([]string, len(rs.Scopes))
	for i, s := range rs.Scopes {
		n[i] = s.Name
	}
	return strings.Join(n, ", ")
}
