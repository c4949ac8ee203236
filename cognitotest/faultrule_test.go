package cognitotest_test

import (
	"errors"
	"math"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/google/go-cmp/cmp"

	rst "github.com/scopekeeper/scopekeeper/cognitotest"
)

func TestAddFaultRule(t *testing.T) {
	t.Parallel()
	t.Run("refused", func(t *testing.T) {
		t.Parallel()
		s, pool := inProcess(t)
		bad := []rst.FaultRule{
			{Operation: "UpdateUserPoolCliennt", Probability: 1, Fault: rst.Fault{Code: "ConcurrentModificationException"}},
			{Operation: "AdminCreateUser", Probability: 1, Fault: rst.Fault{Code: "InternalErrorException"}},
			{Operation: "DescribeResourceServer", Probability: -0.1, Fault: rst.Fault{Code: "InternalErrorException"}},
			{Operation: "DescribeResourceServer", Probability: 1.5, Fault: rst.Fault{Code: "InternalErrorException"}},
			{Operation: "DescribeResourceServer", Probability: math.NaN(), Fault: rst.Fault{Code: "InternalErrorException"}},
			{Operation: "DescribeResourceServer", Probability: 1, Fault: rst.Fault{Code: "Bad Code"}},
		}
		for _, r := range bad {
			if err := s.AddFaultRule(r); !errors.Is(err, rst.ErrInvalidFault) {
				t.Errorf("AddFaultRule(%+v) = %v, want ErrInvalidFault", r, err)
			}
		}
		if err := s.FailNext("UpdateUserPoolCliennt", 1, rst.Fault{Code: "InternalErrorException"}); !errors.Is(err, rst.ErrInvalidFault) {
			t.Errorf("FailNext of an unknown operation = %v, want ErrInvalidFault", err)
		}
		if err := describe(t.Context(), s.Client(oneShot), pool, "api"); err != nil {
			t.Errorf("describe after refused rules = %v, want success", err)
		}
	})
	t.Run("fires on its operation only", func(t *testing.T) {
		t.Parallel()
		s, pool := inProcess(t)
		c := s.Client(oneShot)
		app, err := s.PutAppClient(pool, types.UserPoolClientType{ClientName: aws.String("web")})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.AddFaultRule(rst.FaultRule{Operation: "UpdateUserPoolClient", Probability: 1, Fault: rst.Fault{Code: "ConcurrentModificationException"}}); err != nil {
			t.Fatal(err)
		}
		_, err = c.UpdateUserPoolClient(t.Context(), &cip.UpdateUserPoolClientInput{UserPoolId: aws.String(pool), ClientId: app.ClientId, ClientName: aws.String("renamed")})
		var conflict *types.ConcurrentModificationException
		if !errors.As(err, &conflict) {
			t.Errorf("UpdateUserPoolClient = %v, want ConcurrentModificationException", err)
		}
		if got, _ := s.AppClient(pool, *app.ClientId); aws.ToString(got.ClientName) != "web" {
			t.Errorf("ClientName = %q after a refused update, want web", aws.ToString(got.ClientName))
		}
		if _, err := c.DescribeUserPoolClient(t.Context(), &cip.DescribeUserPoolClientInput{UserPoolId: aws.String(pool), ClientId: app.ClientId}); err != nil {
			t.Errorf("DescribeUserPoolClient = %v, want success (the rule is for Update)", err)
		}
		s.ClearFaults()
		if _, err := c.UpdateUserPoolClient(t.Context(), &cip.UpdateUserPoolClientInput{UserPoolId: aws.String(pool), ClientId: app.ClientId}); err != nil {
			t.Errorf("UpdateUserPoolClient after ClearFaults = %v, want success", err)
		}
	})
	t.Run("seeded draws repeat", func(t *testing.T) {
		t.Parallel()
		run := func() []bool {
			s, pool := inProcess(t, rst.WithSeed(42))
			if err := s.AddFaultRule(rst.FaultRule{Operation: "DescribeResourceServer", Probability: 0.5, Fault: rst.Fault{Code: "InternalErrorException"}}); err != nil {
				t.Fatal(err)
			}
			c := s.Client(oneShot)
			var failed []bool
			for range 40 {
				failed = append(failed, describe(t.Context(), c, pool, "api") != nil)
			}
			return failed
		}
		first, second := run(), run()
		if diff := cmp.Diff(first, second); diff != "" {
			t.Errorf("two runs with one seed differ (-first +second):\n%s", diff)
		}
		var n int
		for _, f := range first {
			if f {
				n++
			}
		}
		if n == 0 || n == len(first) {
			t.Errorf("%d of %d calls failed at probability 0.5", n, len(first))
		}
	})
}
