package cognitotest_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	rst "github.com/scopekeeper/scopekeeper/cognitotest"
)

func ExampleNewServer() {
	srv := rst.NewServer()
	defer srv.Close()
	pool := srv.CreateUserPool("example")
	client := srv.Client()
	ctx := context.Background()

	_, err := client.CreateResourceServer(ctx, &cip.CreateResourceServerInput{
		UserPoolId: aws.String(pool),
		Identifier: aws.String("https://api.example.com"),
		Name:       aws.String("Example API"),
		Scopes: []types.ResourceServerScopeType{
			{ScopeName: aws.String("read"), ScopeDescription: aws.String("Read access")},
			{ScopeName: aws.String("write"), ScopeDescription: aws.String("Write access")},
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	out, err := client.DescribeResourceServer(ctx, &cip.DescribeResourceServerInput{
		UserPoolId: aws.String(pool),
		Identifier: aws.String("https://api.example.com"),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(aws.ToString(out.ResourceServer.Name))
	for _, sc := range out.ResourceServer.Scopes {
		fmt.Printf("%s/%s: %s\n", aws.ToString(out.ResourceServer.Identifier), aws.ToString(sc.ScopeName), aws.ToString(sc.ScopeDescription))
	}
	// Output:
	// Example API
	// https://api.example.com/read: Read access
	// https://api.example.com/write: Write access
}

// UpdateResourceServer replaces the whole server: scopes left out of the request are deleted.
func ExampleServer_ResourceServer() {
	srv := rst.NewServer()
	defer srv.Close()
	pool := srv.CreateUserPool("example")
	_ = srv.PutResourceServer(rst.ResourceServer{
		UserPoolID: pool, Identifier: "api", Name: "API",
		Scopes: []rst.Scope{{Name: "read", Description: "Read"}, {Name: "write", Description: "Write"}},
	})

	_, err := srv.Client().UpdateResourceServer(context.Background(), &cip.UpdateResourceServerInput{
		UserPoolId: aws.String(pool), Identifier: aws.String("api"), Name: aws.String("Renamed API"),
	})
	fmt.Println("update error:", err)
	rs, _ := srv.ResourceServer(pool, "api")
	fmt.Printf("%s, %d scopes\n", rs.Name, len(rs.Scopes))
	// Output:
	// update error: <nil>
	// Renamed API, 0 scopes
}

// The SDK's standard retryer treats LimitExceededException as throttling and retries it, although
// retrying cannot help.
func ExampleServer_Requests() {
	srv := rst.NewServer(rst.WithMaxResourceServers(1))
	defer srv.Close()
	pool := srv.CreateUserPool("example")
	_ = srv.PutResourceServer(rst.ResourceServer{UserPoolID: pool, Identifier: "first", Name: "First"})

	_, err := srv.Client().CreateResourceServer(context.Background(), &cip.CreateResourceServerInput{
		UserPoolId: aws.String(pool), Identifier: aws.String("second"), Name: aws.String("Second"),
	})
	var limit *types.LimitExceededException
	fmt.Println("limit exceeded:", errors.As(err, &limit))
	for _, r := range srv.Requests() {
		fmt.Println(r.Operation, r.Status, r.Code)
	}
	// Output:
	// limit exceeded: true
	// CreateResourceServer 400 LimitExceededException
	// CreateResourceServer 400 LimitExceededException
	// CreateResourceServer 400 LimitExceededException
}

// An AfterWrite fault applies the call and then drops the connection: the SDK retries, and the
// retry finds the write already done.
func ExampleServer_FailNext() {
	srv := rst.NewServer()
	defer srv.Close()
	pool := srv.CreateUserPool("example")
	srv.FailNext("CreateResourceServer", 1, rst.Fault{Drop: true, AfterWrite: true})

	_, err := srv.Client().CreateResourceServer(context.Background(), &cip.CreateResourceServerInput{
		UserPoolId: aws.String(pool), Identifier: aws.String("api"), Name: aws.String("API"),
	})
	var invalid *types.InvalidParameterException
	fmt.Println("invalid parameter:", errors.As(err, &invalid))
	_, stored := srv.ResourceServer(pool, "api")
	fmt.Println("stored:", stored)
	for _, r := range srv.Requests() {
		fmt.Printf("status %d code %q applied %t injected %t\n", r.Status, r.Code, r.Applied, r.Injected)
	}
	// Output:
	// invalid parameter: true
	// stored: true
	// status 0 code "" applied true injected true
	// status 400 code "InvalidParameterException" applied false injected false
}

// A call beyond the quota answers TooManyRequestsException. Cognito allows 5 calls per second
// per pool and category (WithRateLimit(5)); a tiny rate makes the example independent of timing.
func ExampleWithRateLimit() {
	srv := rst.NewServer(rst.WithRateLimit(0.001)) // a burst of 1, then one call per 1000 s
	defer srv.Close()
	pool := srv.CreateUserPool("example")
	client := srv.Client(func(o *cip.Options) { o.RetryMaxAttempts = 1 })
	for range 2 {
		_, err := client.ListResourceServers(context.Background(), &cip.ListResourceServersInput{UserPoolId: aws.String(pool)})
		var tooMany *types.TooManyRequestsException
		fmt.Println("throttled:", errors.As(err, &tooMany))
	}
	// Output:
	// throttled: false
	// throttled: true
}

// Deleting a scope leaves it on the app clients that allow it, inactive; by default the
// emulator then refuses an UpdateUserPoolClient that sends it back (see WithInactiveScopes).
func ExampleServer_InactiveScopes() {
	srv := rst.NewServer()
	defer srv.Close()
	pool := srv.CreateUserPool("example")
	_ = srv.PutResourceServer(rst.ResourceServer{
		UserPoolID: pool, Identifier: "orders", Name: "Orders",
		Scopes: []rst.Scope{{Name: "read", Description: "Read"}, {Name: "write", Description: "Write"}},
	})
	client := srv.Client()
	ctx := context.Background()
	grant := func(id *string, scopes ...string) error {
		_, err := client.UpdateUserPoolClient(ctx, &cip.UpdateUserPoolClientInput{
			UserPoolId: aws.String(pool), ClientId: id,
			AllowedOAuthFlowsUserPoolClient: true,
			AllowedOAuthFlows:               []types.OAuthFlowType{types.OAuthFlowTypeClientCredentials},
			AllowedOAuthScopes:              scopes,
		})
		return err
	}
	created, err := client.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
		UserPoolId: aws.String(pool), ClientName: aws.String("billing-job"), GenerateSecret: true,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	id := created.UserPoolClient.ClientId
	if err := grant(id, "orders/read", "orders/write"); err != nil {
		fmt.Println(err)
		return
	}

	// The resource server loses its write scope.
	_ = srv.PutResourceServer(rst.ResourceServer{
		UserPoolID: pool, Identifier: "orders", Name: "Orders",
		Scopes: []rst.Scope{{Name: "read", Description: "Read"}},
	})
	described, _ := client.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: aws.String(pool), ClientId: id})
	fmt.Println("allowed:", described.UserPoolClient.AllowedOAuthScopes)
	inactive, _ := srv.InactiveScopes(pool, *id)
	fmt.Println("inactive:", inactive)

	var notExist *types.ScopeDoesNotExistException
	if err := grant(id, "orders/read", "orders/write"); errors.As(err, &notExist) {
		fmt.Println("sent back:", aws.ToString(notExist.Message))
	}
	// Output:
	// allowed: [orders/read orders/write]
	// inactive: [orders/write]
	// sent back: Invalid scope requested: orders/write
}

// PutAppClient sets up a client directly, with Cognito's defaults for the fields left out; here
// one that allows a scope no resource server defines any more.
func ExampleServer_PutAppClient() {
	srv := rst.NewServer()
	defer srv.Close()
	pool := srv.CreateUserPool("example")
	c, err := srv.PutAppClient(pool, types.UserPoolClientType{
		ClientId:           aws.String("legacyclient01"),
		ClientName:         aws.String("legacy"),
		AllowedOAuthScopes: []string{"https://old.example.com/read"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(aws.ToString(c.ClientId), c.RefreshTokenValidity, aws.ToBool(c.EnableTokenRevocation), aws.ToBool(c.AllowedOAuthFlowsUserPoolClient))
	inactive, _ := srv.InactiveScopes(pool, "legacyclient01")
	fmt.Println(inactive)
	// Output:
	// legacyclient01 30 true false
	// [https://old.example.com/read]
}

// A client built by hand, here with the SDK's standard retryer and its backoff, takes BufferBodies
// as its HTTP client, so the emulator logs one request per call.
func ExampleBufferBodies() {
	srv := rst.NewServer()
	defer srv.Close()
	pool := srv.CreateUserPool("example")
	client := cip.New(cip.Options{
		BaseEndpoint: aws.String(srv.URL),
		Region:       rst.DefaultRegion,
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "example-secret", ""),
		HTTPClient:   rst.BufferBodies(awshttp.NewBuildableClient()),
		Retryer:      retry.NewStandard(),
	})
	_, err := client.CreateResourceServer(context.Background(), &cip.CreateResourceServerInput{
		UserPoolId: aws.String(pool), Identifier: aws.String("https://api.example.com"), Name: aws.String("API"),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, req := range srv.Requests() {
		fmt.Println(req.Operation, req.Status)
	}
	// Output:
	// CreateResourceServer 200
}
