// Command quickstart shows the life of a resource server through a
// resourceserver.Client: create it, add scopes, rename it (the scopes
// stay, although Cognito's UpdateResourceServer deletes every scope it is
// not sent), remove a scope, list the pool, print the scope strings that
// access tokens carry, delete it, and tell a missing resource server
// from other failures with rserrors.IsNotFound.
//
// By default it runs against an emulator embedded in the process:
//
//	go run ./examples/quickstart
//
// With -pool it runs against Amazon Cognito, using the standard AWS
// configuration (environment, ~/.aws files, SSO or an instance role); it
// creates one resource server with a random identifier and deletes it:
//
//	go run ./examples/quickstart -pool us-east-1_AbCdEf123
//
// The Client keeps to Cognito's quota of 5 requests per second per user
// pool and category, so the run takes about two seconds.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	rserrors "github.com/scopekeeper/scopekeeper/errors"
	"github.com/scopekeeper/scopekeeper/examples/internal/exampleenv"
	"github.com/scopekeeper/scopekeeper/resourceserver"
)

func main() { exampleenv.Main(run) }

func run(ctx context.Context, out io.Writer, env *exampleenv.Env) error {
	fmt.Fprintf(out, "scopekeeper quickstart on %s\n", env)
	fmt.Fprintln(out, "(requests are paced at Cognito's quota: 5 per second per user pool and category)")

	// In a service: c := resourceserver.New(cognitoidentityprovider.NewFromConfig(cfg))
	c := resourceserver.New(env.API())
	pool, id := env.PoolID, env.Identifier("orders")

	rs, err := c.Create(ctx, resourceserver.ResourceServer{UserPoolID: pool, Identifier: id, Name: "Orders API"})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "created  %s %q, %d scopes\n", rs.Identifier, rs.Name, len(rs.Scopes))

	rs, err = c.AddScopes(ctx, pool, id,
		resourceserver.Scope{Name: "orders.read", Description: "Read orders"},
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

	rs, err = c.RemoveScopes(ctx, pool, id, "orders.admin")
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "removed  orders.admin, scopes: %s\n", names(rs))

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
	if !rserrors.IsNotFound(err) {
		return fmt.Errorf("get after delete returned %v, want a ResourceNotFoundException", err)
	}
	var op *resourceserver.OpError
	var notFound *rserrors.ResourceNotFoundError
	if !errors.As(err, &op) || !errors.As(err, &notFound) {
		return fmt.Errorf("get after delete returned %T, want an *OpError holding a *ResourceNotFoundError", err)
	}
	fmt.Fprintln(out, "get after delete: rserrors.IsNotFound(err) = true")
	fmt.Fprintf(out, "  OpError.Op = %s; cause %s: %s\n", op.Op, notFound.Code, notFound.Message)
	return nil
}

// names returns the scope names of rs, comma-separated.
func names(rs resourceserver.ResourceServer) string {
	n := make([]string, len(rs.Scopes))
	for i, s := range rs.Scopes {
		n[i] = s.Name
	}
	return strings.Join(n, ", ")
}
