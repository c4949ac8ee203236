// Command grant-scopes shows the life of a custom scope on a machine client
// with package appclient: a grant refused because the scope does not exist
// yet (Cognito's ScopeDoesNotExistException, caught before anything is
// written), the grant once the scope exists, with every other setting of
// the app client kept, and the safe removal of a scope: revoke it from the
// app clients that hold it, then remove it from its resource server, so
// that no app client is left with an inactive scope that a later scope of
// the same name would silently re-grant.
//
//	go run ./examples/grant-scopes                           # embedded emulator
//	go run ./examples/grant-scopes -pool us-east-1_AbCdEf123 # Amazon Cognito
//
// On Amazon Cognito it creates a resource server and an app client of its
// own and deletes both at the end.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/scopekeeper/scopekeeper/appclient"
	"github.com/scopekeeper/scopekeeper/examples/internal/exampleenv"
	"github.com/scopekeeper/scopekeeper/resourceserver"
)

func main() { exampleenv.Main(run) }

func run(ctx context.Context, out io.Writer, env *exampleenv.Env) (err error) {
	api := env.API()
	servers, clients := resourceserver.New(api), appclient.New(api)
	id := env.Identifier("reports")
	read, export := id+"/reports.read", id+"/reports.export"
	fmt.Fprintf(out, "grant-scopes on %s\n", env)

	if _, err := servers.Create(ctx, resourceserver.ResourceServer{
		UserPoolID: env.PoolID, Identifier: id, Name: "Reports API",
		Scopes: []resourceserver.Scope{{Name: "reports.read", Description: "Read reports"}},
	}); err != nil {
		return err
	}
	fmt.Fprintf(out, "created  resource server %s with the scope reports.read\n", id)

	// The machine client, as a console or a template would create it.
	created, err := api.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
		UserPoolId: aws.String(env.PoolID), ClientName: aws.String("reporting-job"), GenerateSecret: true,
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
	defer func() {
		_, derr := api.DeleteUserPoolClient(context.WithoutCancel(ctx), &cip.DeleteUserPoolClientInput{
			UserPoolId: aws.String(env.PoolID), ClientId: aws.String(clientID),
		})
		err = errors.Join(err, derr)
	}()
	fmt.Fprintln(out, `created  app client "reporting-job": client_credentials, reports.read, access tokens valid 15 minutes`)

	// 1. Granting a scope that does not exist yet is refused before any write.
	_, err = clients.GrantScopes(ctx, env.PoolID, clientID, export)
	var missing *appclient.ScopeNotFoundError
	if !errors.As(err, &missing) {
		return fmt.Errorf("GrantScopes before the scope exists: got %v, want a *ScopeNotFoundError", err)
	}
	fmt.Fprintf(out, "grant    reports.export refused, nothing written: %d scope(s) do not exist\n", len(missing.Scopes))

	// 2. Define the scope, then grant it: the other settings stay.
	if _, err := servers.AddScope(ctx, env.PoolID, id, resourceserver.Scope{Name: "reports.export", Description: "Export reports"}); err != nil {
		return err
	}
	a, err := clients.GrantScopes(ctx, env.PoolID, clientID, export)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "grant    reports.export: scopes %s; OAuth on: %v, flows %v, access tokens %d %s (kept)\n",
		short(id, a.AllowedOAuthScopes), a.AllowedOAuthFlowsUserPoolClient, a.AllowedOAuthFlows,
		a.AccessTokenValidity, a.TokenValidityUnits.AccessToken)

	// 3. Remove reports.read safely: revoke it from every app client that
	// holds it, then remove it from the resource server.
	holders, err := clients.Holders(ctx, env.PoolID, []string{read})
	if err != nil {
		return err
	}
	if err := clients.Revoke(ctx, env.PoolID, read, holders[read]); err != nil {
		return err
	}
	if _, err := servers.RemoveScopes(ctx, env.PoolID, id, "reports.read"); err != nil {
		return err
	}
	fmt.Fprintf(out, "remove   reports.read: revoked from %d app client(s), then removed from the resource server\n", len(holders[read]))

	g, err := clients.Grants(ctx, env.PoolID)
	if err != nil {
		return err
	}
	for _, sg := range g.Scopes {
		if strings.HasPrefix(sg.Scope, id+"/") {
			fmt.Fprintf(out, "grants   %s: %d app client(s), inactive: %v\n", short(id, []string{sg.Scope}), len(sg.Clients), sg.Inactive)
		}
	}
	fmt.Fprintf(out, "inactive scopes left in the pool: %d\n", len(g.Inactive()))
	return servers.Delete(ctx, env.PoolID, id)
}

// short lists scopes without their identifier prefix.
func short(id string, scopes []string) string {
	s := make([]string, len(scopes))
	for i, x := range scopes {
		s[i] = strings.TrimPrefix(x, id+"/")
	}
	return strings.Join(s, ", ")
}
