package appclient_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/scopekeeper/scopekeeper/appclient"
	"github.com/scopekeeper/scopekeeper/cognitotest"
	rserrors "github.com/scopekeeper/scopekeeper/errors"
	"github.com/scopekeeper/scopekeeper/internal/pacetest"
	"github.com/scopekeeper/scopekeeper/pace"
)

// The examples run against the local emulator; in production, pass
// cognitoidentityprovider.NewFromConfig(cfg) to appclient.New.

const examplePool = "us-east-1_Example1"

// emulator starts a local Cognito emulator holding the user pool
// examplePool, a resource server "https://orders.example.com" with the
// scopes orders.read and orders.write, and the machine client
// "reporting" allowed orders.read.
//
// Each example plays a process of its own: the emulator is new, and so is
// the default Pacer (pace.Default). The emulator enforces no quota, so
// that Pacer paces nothing (pacetest.Unpaced): the examples show the calls
// without waiting out Cognito's quota between them, which package pace and
// the pacing tests cover.
func emulator() *cognitotest.Server {
	pace.SetDefault(pacetest.Unpaced())
	s := cognitotest.NewServer()
	if err := s.AddUserPool(examplePool, "example"); err != nil {
		log.Fatal(err)
	}
	err := s.PutResourceServer(cognitotest.ResourceServer{
		UserPoolID: examplePool, Identifier: "https://orders.example.com", Name: "Orders API",
		Scopes: []cognitotest.Scope{{Name: "orders.read", Description: "Read orders"}, {Name: "orders.write", Description: "Write orders"}},
	})
	if err != nil {
		log.Fatal(err)
	}
	_, err = s.PutAppClient(examplePool, types.UserPoolClientType{
		ClientId: aws.String("reporting"), ClientName: aws.String("Reporting job"),
		ClientSecret:                    aws.String("exampleSecretExampleSecret0"),
		AllowedOAuthFlowsUserPoolClient: aws.Bool(true),
		AllowedOAuthFlows:               []types.OAuthFlowType{types.OAuthFlowTypeClientCredentials},
		AllowedOAuthScopes:              []string{"https://orders.example.com/orders.read"},
	})
	if err != nil {
		log.Fatal(err)
	}
	return s
}

func ExampleClient_GrantScopes() {
	s := emulator()
	defer s.Close()
	// s.Client() is a *cognitoidentityprovider.Client for the emulator.
	c := appclient.New(s.Client())

	a, err := c.GrantScopes(context.Background(), examplePool, "reporting", "https://orders.example.com/orders.write")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(a.ClientName, a.AllowedOAuthFlowsUserPoolClient, a.AllowedOAuthFlows)
	fmt.Println(a.AllowedOAuthScopes)
	// Output:
	// Reporting job true [client_credentials]
	// [https://orders.example.com/orders.read https://orders.example.com/orders.write]
}

func ExampleClient_GrantScopes_missingScope() {
	s := emulator()
	defer s.Close()
	c := appclient.New(s.Client())

	_, err := c.GrantScopes(context.Background(), examplePool, "reporting", "https://billing.example.com/invoices.read")
	var missing *appclient.ScopeNotFoundError
	if errors.As(err, &missing) {
		fmt.Println("not granted:", missing.Scopes)
	}
	// The same predicate matches a scope Cognito itself refused.
	fmt.Println("scope does not exist:", rserrors.IsScopeDoesNotExist(err))
	// Output:
	// not granted: [https://billing.example.com/invoices.read]
	// scope does not exist: true
}

func ExampleClient_GrantScopes_invalid() {
	s := emulator()
	defer s.Close()
	c := appclient.New(s.Client())

	// Bad arguments are refused before anything is sent, every violation
	// named by the argument as passed.
	_, err := c.GrantScopes(context.Background(), examplePool, "reporting!",
		"openid", "orders.read", "https://orders.example.com/orders read")
	var ve *rserrors.ValidationError
	if errors.As(err, &ve) {
		fmt.Println(ve.Operation)
		for _, v := range ve.Violations {
			fmt.Println(v.Field, v.Rule, v.Value)
		}
	}
	// Output:
	// GrantScopes
	// clientID pattern reporting!
	// scopes[1] pattern orders.read
	// scopes[2] pattern https://orders.example.com/orders read
}

func ExampleClient_RevokeScopes() {
	s := emulator()
	defer s.Close()
	c := appclient.New(s.Client())
	ctx := context.Background()

	if _, err := c.GrantScopes(ctx, examplePool, "reporting", "https://orders.example.com/orders.write"); err != nil {
		log.Fatal(err)
	}
	a, err := c.RevokeScopes(ctx, examplePool, "reporting", "https://orders.example.com/orders.read")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(a.AllowedOAuthScopes)
	// Output:
	// [https://orders.example.com/orders.write]
}

func ExampleClient_Modify() {
	s := emulator()
	defer s.Close()
	c := appclient.New(s.Client())

	a, err := c.Modify(context.Background(), examplePool, "reporting", func(a *appclient.AppClient) error {
		a.ClientName = "Nightly reporting"
		a.AccessTokenValidity = 15
		a.TokenValidityUnits.AccessToken = types.TimeUnitsTypeMinutes
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(a.ClientName, a.AccessTokenValidity, a.TokenValidityUnits.AccessToken)
	fmt.Println(a.AllowedOAuthFlowsUserPoolClient, a.AllowedOAuthScopes)
	// Output:
	// Nightly reporting 15 minutes
	// true [https://orders.example.com/orders.read]
}

func ExampleClient_Grants() {
	s := emulator()
	defer s.Close()
	// Removing orders.read from its resource server leaves it, inactive, on
	// the app clients that allow it.
	err := s.PutResourceServer(cognitotest.ResourceServer{
		UserPoolID: examplePool, Identifier: "https://orders.example.com", Name: "Orders API",
		Scopes: []cognitotest.Scope{{Name: "orders.write", Description: "Write orders"}},
	})
	if err != nil {
		log.Fatal(err)
	}
	c := appclient.New(s.Client())

	g, err := c.Grants(context.Background(), examplePool)
	if err != nil {
		log.Fatal(err)
	}
	for _, sg := range g.Scopes {
		fmt.Println(sg.Scope, "inactive:", sg.Inactive, "clients:", sg.Clients)
	}
	// Output:
	// https://orders.example.com/orders.read inactive: true clients: [{reporting Reporting job}]
}

func ExampleClient_Holders() {
	s := emulator()
	defer s.Close()
	c := appclient.New(s.Client())

	h, err := c.Holders(context.Background(), examplePool, []string{
		"https://orders.example.com/orders.read", "https://orders.example.com/orders.write",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(h)
	// Output:
	// map[https://orders.example.com/orders.read:[reporting]]
}

func ExampleClient_List() {
	s := emulator()
	defer s.Close()
	c := appclient.New(s.Client())

	// One ListUserPoolClients per 60 app clients, no Describe: the cheap
	// way to find an app client by name.
	for ref, err := range c.List(context.Background(), examplePool) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s %q\n", ref.ID, ref.Name)
	}
	// Output:
	// reporting "Reporting job"
}

func ExampleWithProgress() {
	s := emulator()
	defer s.Close()
	c := appclient.New(s.Client())

	// A service reports the scan its own way; a terminal would draw a bar
	// with p.Done, p.Total and p.Remaining().
	ctx := appclient.WithProgress(context.Background(), func(p appclient.Progress) {
		fmt.Printf("%s: %d of %d app clients read\n", p.UserPoolID, p.Done, p.Total)
	})
	if _, err := c.Grants(ctx, examplePool); err != nil {
		log.Fatal(err)
	}
	// Output:
	// us-east-1_Example1: 0 of 1 app clients read
	// us-east-1_Example1: 1 of 1 app clients read
}
