package pace_test

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/scopekeeper/scopekeeper/appclient"
	"github.com/scopekeeper/scopekeeper/cognitotest"
	"github.com/scopekeeper/scopekeeper/pace"
	"github.com/scopekeeper/scopekeeper/resourceserver"
)

// Ten Describes at once against an emulator that enforces a quota of 50
// per second per pool and category with no burst (Cognito's is 5, which
// Config{} paces): the Pacer spaces them (and would retry a throttle
// after its wait), so none fails.
func ExamplePacer_Option() {
	srv := cognitotest.NewServer(cognitotest.WithRateLimit(50), cognitotest.WithBurst(1))
	defer srv.Close()
	pool := srv.CreateUserPool("example")
	_ = srv.PutResourceServer(cognitotest.ResourceServer{UserPoolID: pool, Identifier: "https://api.example.com", Name: "api"})
	client := srv.Client()

	p, err := pace.New(pace.Config{Ceilings: map[pace.Category]float64{pace.ResourceRead: 50}})
	if err != nil {
		fmt.Println(err)
		return
	}
	errs := make(chan error)
	for range 10 {
		go func() {
			_, err := client.DescribeResourceServer(context.Background(), &cip.DescribeResourceServerInput{
				UserPoolId: aws.String(pool), Identifier: aws.String("https://api.example.com"),
			}, p.Option(pool, pace.ResourceRead))
			errs <- err
		}()
	}
	failed := 0
	for range 10 {
		if <-errs != nil {
			failed++
		}
	}
	fmt.Println("failed:", failed)
	// Output: failed: 0
}

// One Pacer handed to every Client that calls a pool, here with the
// account-wide ceilings too: the resourceserver.Client and the
// appclient.Client both read the pool's resource servers, and share the
// one UserPoolResourceRead quota. Without Options.Pacer they would share
// pace.Default().
func Example() {
	srv := cognitotest.NewServer()
	defer srv.Close()
	pool := srv.CreateUserPool("example")
	const orders = "https://orders.example.com"
	_ = srv.PutResourceServer(cognitotest.ResourceServer{UserPoolID: pool, Identifier: orders, Name: "Orders API"})
	_, _ = srv.PutAppClient(pool, types.UserPoolClientType{
		ClientId: aws.String("worker"), ClientName: aws.String("worker"), ClientSecret: aws.String("s3cr3ts3cr3ts3cr3ts3cr3ts3cr3t"),
		AllowedOAuthFlowsUserPoolClient: aws.Bool(true),
		AllowedOAuthFlows:               []types.OAuthFlowType{types.OAuthFlowTypeClientCredentials},
	})
	api := srv.Client()

	p, err := pace.New(pace.Config{AccountCeilings: pace.DefaultAccountCeilings()})
	if err != nil {
		fmt.Println(err)
		return
	}
	rs := resourceserver.New(api, func(o *resourceserver.Options) { o.Pacer = p })
	apps := appclient.New(api, func(o *appclient.Options) { o.Pacer = p })

	ctx := context.Background()
	if _, err := rs.AddScope(ctx, pool, orders, resourceserver.Scope{Name: "write", Description: "Write orders"}); err != nil {
		fmt.Println(err)
		return
	}
	worker, err := apps.GrantScopes(ctx, pool, "worker", orders+"/write")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(worker.AllowedOAuthScopes)
	fmt.Printf("%.2f requests/s\n", p.Rate(pool, pace.ResourceRead))
	// Output:
	// [https://orders.example.com/write]
	// 4.85 requests/s
}

// A program that paces the account-wide quotas too makes its Pacer the
// default before it builds its Clients: every Client built without
// Options.Pacer then uses it.
func ExampleSetDefault() {
	p, err := pace.New(pace.Config{AccountCeilings: pace.DefaultAccountCeilings()})
	if err != nil {
		fmt.Println(err)
		return
	}
	pace.SetDefault(p)
	defer pace.SetDefault(nil)

	fmt.Println(pace.Default() == p)
	// Output: true
}
