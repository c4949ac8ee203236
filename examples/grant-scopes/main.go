// Command grant-scopes shows the life of a custom scope on a machine client
// with package appclient: a grant refused because the scope does not exist
// yet (Cognito's ScopeDoesNotExistException, caught before anything is
// written), the grant once the scope exists, with every other setting of
// the app client kept, and the safe removal of a scope: a
// resourceserver.Client checking app clients (Options.Grants) refuses to
// remove a scope an app client holds, then, told to cascade, revokes it
// from the app clients first and removes it after, so that no app client
// is left with an inactive scope that a later scope of the same name
// would silently re-grant.
//
//	go run ./examples/grant-scopes
//
// It runs on a Cognito emulator started in the process; main says how to
// run it on a user pool of your own, where it creates the resource server
// https://reports.example.com and an app client and deletes both at the
// end. It imports only public
// packages, so it can be copied out of this repository.
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

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/scopekeeper/scopekeeper/appclient"
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
	err := run(ctx, os.Stdout, srv.Client, srv.CreateUserPool("grant-scopes"))
	srv.Close()
	stop()
	if err != nil {
		log.Fatalf("grant-scopes: %v", err)
	}
}

// apiFunc returns an SDK client for the user pool, changed by optFns; each
// call returns a separate client, as separate processes would have.
type apiFunc = func(optFns ...func(*cip.Options)) *cip.Client

func run(ctx context.Context, out io.Writer, newAPI apiFunc, pool string) (err error) {
	api := newAPI()
	clients := appclient.New(api)
	// With Grants set, no change leaves a scope dangling on an app client
	// or grants an inactive one again unless it says so.
	servers := resourceserver.New(api, func(o *resourceserver.Options) { o.Grants = clients })
	id := "https://reports.example.com"
	read, export := id+"/reports.read", id+"/reports.export"
	fmt.Fprintln(out, "grant-scopes")

	if _, err := servers.Create(ctx, resourceserver.ResourceServer{
		UserPoolID: pool, Identifier: id, Name: "Reports API",
		Scopes: []resourceserver.Scope{{Name: "reports.read", Description: "Read reports"}},
	}); err != nil {
		return err
	}
	fmt.Fprintf(out, "created  resource server %s with the scope reports.read\n", id)

	// The machine client, as a console or a template would create it.
	created, err := api.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
		UserPoolId: aws.String(pool), ClientName: aws.String("reporting-job"), GenerateSecret: true,
		AllowedOAuthFlowsUserPoolClient: true,
		AllowedOAuthFlows:               []types.OAuthFlowType{types.OAuthFlowTypeClientCredentials},
		AllowedOAuthScopes:              []string{read},
		AccessTokenValidity:             aws.Int32(15),
		TokenValidityUnits:              &types.TokenValidityUnitsType{AccessToken: types.TimeUnitsTypeMinutes},
	})
	if err != nil {
		return err
	}
	clientID := aws.ToString(created.UserPoolClient.ClientId)
	deleteClient := func(ctx context.Context) error {
		_, err := api.DeleteUserPoolClient(ctx, &cip.DeleteUserPoolClientInput{
			UserPoolId: aws.String(pool), ClientId: aws.String(clientID),
		})
		return err
	}
	deleted := false
	defer func() {
		if !deleted {
			err = errors.Join(err, deleteClient(context.WithoutCancel(ctx)))
		}
	}()
	fmt.Fprintln(out, `created  app client "reporting-job": client_credentials, reports.read, access tokens valid 15 minutes`)

	// 1. Granting a scope that does not exist yet is refused before any write.
	_, err = clients.GrantScopes(ctx, pool, clientID, export)
	var missing *appclient.ScopeNotFoundError
	if !errors.As(err, &missing) {
		return fmt.Errorf("GrantScopes before the scope exists: got %v, want a *ScopeNotFoundError", err)
	}
	fmt.Fprintf(out, "grant    reports.export refused, nothing written: %d scope(s) do not exist\n", len(missing.Scopes))

	// 2. Define the scope, then grant it: the other settings stay.
	if _, err := servers.AddScope(ctx, pool, id, resourceserver.Scope{Name: "reports.export", Description: "Export reports"}); err != nil {
		return err
	}
	a, err := clients.GrantScopes(ctx, pool, clientID, export)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "grant    reports.export: scopes %s; OAuth on: %v, flows %v, access tokens %d %s (kept)\n",
		short(id, a.AllowedOAuthScopes), a.AllowedOAuthFlowsUserPoolClient, a.AllowedOAuthFlows,
		a.AccessTokenValidity, a.TokenValidityUnits.AccessToken)

	// 3. Removing reports.read, which the app client holds, is refused...
	_, err = servers.RemoveScopes(ctx, pool, id, "reports.read")
	var held *rserrors.GrantsError
	if !errors.As(err, &held) {
		return fmt.Errorf("RemoveScopes of a granted scope: got %v, want a *rserrors.GrantsError", err)
	}
	fmt.Fprintf(out, "remove   reports.read refused, nothing written: %d app client(s) hold it\n", len(held.Dangling[read]))

	// ...until the change says to revoke it from those app clients first.
	ch := resourceserver.Change{}.Remove("reports.read").WithGrantPolicy(resourceserver.RevokeGrants)
	if _, err := servers.Apply(ctx, pool, id, ch); err != nil {
		return err
	}
	fmt.Fprintln(out, "remove   reports.read: revoked from the app client, then removed from the resource server")
	g, err := clients.Grants(ctx, pool)
	if err != nil {
		return err
	}
	for _, sg := range g.Scopes {
		if strings.HasPrefix(sg.Scope, id+"/") {
			fmt.Fprintf(out, "grants   %s: %d app client(s), inactive: %v\n", short(id, []string{sg.Scope}), len(sg.Clients), sg.Inactive)
		}
	}
	fmt.Fprintf(out, "inactive scopes left in the pool: %d\n", len(g.Inactive()))

	// The app client goes first, so deleting the resource server leaves
	// no grant dangling.
	deleted = true
	if err := deleteClient(ctx); err != nil {
		return err
	}
	return servers.Delete(ctx, pool, id)
}

// short lists scopes without their identifier prefix.
func short(id string, scopes []string) string {
	s := make([]string, len(scopes))
	for i, x := range scopes {
		s[i] = strings.TrimPrefix(x, id+"/")
	}
	return strings.Join(s, ", ")
}
