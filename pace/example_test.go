package pace_test

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/scopekeeper/scopekeeper/cognitotest"
	"github.com/scopekeeper/scopekeeper/pace"
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
