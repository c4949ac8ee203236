package cognitotest_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	rst "github.com/scopekeeper/scopekeeper/cognitotest"
)

// An in-process emulator needs no socket; inside a testing/synctest bubble, the hour-long delay
// below would take no real time. Here, outside one, a Clock that never waits does the same.
func ExampleNewInProcessServer() {
	srv := rst.NewInProcessServer(rst.WithClock(fixedClock{time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}))
	defer srv.Close()
	pool := srv.CreateUserPool("example")
	_ = srv.FailNext("CreateUserPoolClient", 1, rst.Fault{Delay: time.Hour})

	out, err := srv.Client().CreateUserPoolClient(context.Background(), &cip.CreateUserPoolClientInput{
		UserPoolId: aws.String(pool), ClientName: aws.String("web"),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(srv.URL)
	fmt.Println(out.UserPoolClient.CreationDate.Format(time.RFC3339))
	// Output:
	// http://cognitotest.invalid
	// 2030-01-01T00:00:00Z
}

// A fault rule answers a share of an operation's calls with an error, as the cognito-emulator
// command's -fault flag does; WithSeed makes the draws repeatable.
func ExampleServer_AddFaultRule() {
	srv := rst.NewInProcessServer()
	defer srv.Close()
	pool := srv.CreateUserPool("example")
	app, _ := srv.PutAppClient(pool, types.UserPoolClientType{ClientName: aws.String("web")})
	err := srv.AddFaultRule(rst.FaultRule{
		Operation:   "UpdateUserPoolClient",
		Probability: 1,
		Fault:       rst.Fault{Code: "ConcurrentModificationException"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = srv.Client(func(o *cip.Options) { o.RetryMaxAttempts = 1 }).UpdateUserPoolClient(context.Background(), &cip.UpdateUserPoolClientInput{
		UserPoolId: aws.String(pool), ClientId: app.ClientId, ClientName: aws.String("renamed"),
	})
	var conflict *types.ConcurrentModificationException
	fmt.Println("conflict:", errors.As(err, &conflict))

	err = srv.AddFaultRule(rst.FaultRule{Operation: "UpdateUserPoolCliennt", Probability: 1, Fault: rst.Fault{Code: "InternalErrorException"}})
	fmt.Println("typo refused:", errors.Is(err, rst.ErrInvalidFault))
	// Output:
	// conflict: true
	// typo refused: true
}

// Operations lists what FailNext, AddFaultRule and the command's -fault flag accept.
func ExampleOperations() {
	for _, op := range rst.Operations() {
		fmt.Println(op)
	}
	// Output:
	// CreateResourceServer
	// CreateUserPool
	// CreateUserPoolClient
	// DeleteResourceServer
	// DeleteUserPool
	// DeleteUserPoolClient
	// DescribeResourceServer
	// DescribeUserPool
	// DescribeUserPoolClient
	// ListResourceServers
	// ListUserPoolClients
	// ListUserPools
	// UpdateResourceServer
	// UpdateUserPoolClient
}
