package cognitotest_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/google/go-cmp/cmp"

	rst "github.com/scopekeeper/scopekeeper/cognitotest"
)

func describe(ctx context.Context, c *cip.Client, pool, id string) error {
	_, err := c.DescribeResourceServer(ctx, &cip.DescribeResourceServerInput{UserPoolId: aws.String(pool), Identifier: aws.String(id)})
	return err
}

func TestFaultCodesReachTypedErrors(t *testing.T) {
	t.Parallel()
	s, pool := setup(t)
	c := s.Client(oneShot)
	create := func(ctx context.Context, id string) error {
		_, err := c.CreateResourceServer(ctx, &cip.CreateResourceServerInput{UserPoolId: aws.String(pool), Identifier: aws.String(id), Name: aws.String("S")})
		return err
	}
	tests := []struct {
		code       string
		wantStatus int
		match      func(error) bool
	}{
		{"InvalidParameterException", 400, func(err error) bool { var e *types.InvalidParameterException; return errors.As(err, &e) }},
		{"ResourceNotFoundException", 400, func(err error) bool { var e *types.ResourceNotFoundException; return errors.As(err, &e) }},
		{"NotAuthorizedException", 400, func(err error) bool { var e *types.NotAuthorizedException; return errors.As(err, &e) }},
		{"TooManyRequestsException", 400, func(err error) bool { var e *types.TooManyRequestsException; return errors.As(err, &e) }},
		{"LimitExceededException", 400, func(err error) bool { var e *types.LimitExceededException; return errors.As(err, &e) }},
		{"OperationNotEnabledException", 400, func(err error) bool { var e *types.OperationNotEnabledException; return errors.As(err, &e) }},
		{"InternalErrorException", 500, func(err error) bool { var e *types.InternalErrorException; return errors.As(err, &e) }},
		{"SomethingNewException", 400, func(err error) bool {
			var e *smithy.GenericAPIError
			return errors.As(err, &e) && e.Code == "SomethingNewException"
		}},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			s.ResetRequests()
			s.FailNext("CreateResourceServer", 1, rst.Fault{Code: tt.code, Message: "injected"})
			err := create(t.Context(), tt.code)
			if !tt.match(err) {
				t.Fatalf("describe with fault %s = %v (%T), want that type", tt.code, err, err)
			}
			var re *smithyhttp.ResponseError
			if !errors.As(err, &re) || re.HTTPStatusCode() != tt.wantStatus {
				t.Errorf("status = %v, want %d", err, tt.wantStatus)
			}
			want := []rst.Request{{Operation: "CreateResourceServer", UserPoolID: pool, Identifier: tt.code, Status: tt.wantStatus, Code: tt.code, Message: "injected", Injected: true}}
			if diff := cmp.Diff(want, s.Requests()); diff != "" {
				t.Errorf("Requests() (-want +got):\n%s", diff)
			}
			if _, ok := s.ResourceServer(pool, tt.code); ok {
				t.Errorf("faulted create stored the server")
			}
			if err := create(t.Context(), tt.code); err != nil {
				t.Errorf("call after the fault = %v, want success", err)
			}
		})
	}
}

func TestFailNext(t *testing.T) {
	t.Parallel()

	t.Run("500 retried by the standard retryer", func(t *testing.T) {
		t.Parallel()
		s, pool := setup(t)
		_ = s.PutResourceServer(rst.ResourceServer{UserPoolID: pool, Identifier: "api", Name: "API"})
		s.FailNext("", 2, rst.Fault{Code: "InternalErrorException"})
		if err := describe(t.Context(), s.Client(), pool, "api"); err != nil {
			t.Fatalf("describe = %v, want success on the third attempt", err)
		}
		if diff := cmp.Diff([]string{"InternalErrorException", "InternalErrorException", ""}, codes(s.Requests())); diff != "" {
			t.Errorf("logged codes (-want +got):\n%s", diff)
		}
	})

	t.Run("a status without a code", func(t *testing.T) {
		t.Parallel()
		tests := []struct {
			status   int
			wantCode string
		}{
			{500, "InternalErrorException"},
			{503, "InternalErrorException"},
			{400, "BadRequestException"},
		}
		for _, tt := range tests {
			s, pool := setup(t)
			_ = s.PutResourceServer(rst.ResourceServer{UserPoolID: pool, Identifier: "api", Name: "API"})
			s.FailNext("", 1, rst.Fault{Status: tt.status})
			err := describe(t.Context(), s.Client(oneShot), pool, "api")
			var api smithy.APIError
			if !errors.As(err, &api) || api.ErrorCode() != tt.wantCode {
				t.Errorf("Fault{Status: %d}: describe = %v, want %s", tt.status, err, tt.wantCode)
			}
			if reqs := s.Requests(); len(reqs) != 1 || reqs[0].Status != tt.status || !reqs[0].Injected {
				t.Errorf("Fault{Status: %d}: log = %+v, want one injected answer with that status", tt.status, reqs)
			}
		}
	})

	t.Run("only the named operation", func(t *testing.T) {
		t.Parallel()
		s, pool := setup(t)
		_ = s.PutResourceServer(rst.ResourceServer{UserPoolID: pool, Identifier: "api", Name: "API"})
		c := s.Client(oneShot)
		s.FailNext("UpdateResourceServer", 1, rst.Fault{Code: "TooManyRequestsException"})
		if err := describe(t.Context(), c, pool, "api"); err != nil {
			t.Fatalf("describe = %v, want success", err)
		}
		_, err := c.UpdateResourceServer(t.Context(), &cip.UpdateResourceServerInput{UserPoolId: aws.String(pool), Identifier: aws.String("api"), Name: aws.String("New")})
		var tooMany *types.TooManyRequestsException
		if !errors.As(err, &tooMany) || aws.ToString(tooMany.Message) != "Too many requests" {
			t.Fatalf("update = %v, want TooManyRequestsException", err)
		}
		if rs, _ := s.ResourceServer(pool, "api"); rs.Name != "API" {
			t.Errorf("name after refused update = %q, want API", rs.Name)
		}
	})

	t.Run("entries queue in order", func(t *testing.T) {
		t.Parallel()
		s, pool := setup(t)
		_ = s.PutResourceServer(rst.ResourceServer{UserPoolID: pool, Identifier: "api", Name: "API"})
		c := s.Client(oneShot)
		s.FailNext("", 1, rst.Fault{Code: "AException"})
		s.FailNext("DescribeResourceServer", 2, rst.Fault{Code: "BException"})
		s.FailNext("", 0, rst.Fault{Code: "IgnoredException"})
		for range 4 {
			_ = describe(t.Context(), c, pool, "api")
		}
		if diff := cmp.Diff([]string{"AException", "BException", "BException", ""}, codes(s.Requests())); diff != "" {
			t.Errorf("logged codes (-want +got):\n%s", diff)
		}
	})

	t.Run("delay ended by the context leaves the store alone", func(t *testing.T) {
		t.Parallel()
		s, pool := setup(t)
		s.FailNext("CreateResourceServer", 1, rst.Fault{Delay: time.Hour})
		ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
		defer cancel()
		_, err := s.Client().CreateResourceServer(ctx, &cip.CreateResourceServerInput{UserPoolId: aws.String(pool), Identifier: aws.String("api"), Name: aws.String("API")})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("create = %v, want context.DeadlineExceeded", err)
		}
		s.Close() // waits for the handler, so the log is complete
		want := []rst.Request{{Operation: "CreateResourceServer", UserPoolID: pool, Identifier: "api", Injected: true}}
		if diff := cmp.Diff(want, s.Requests()); diff != "" {
			t.Errorf("Requests() (-want +got):\n%s", diff)
		}
		if _, ok := s.ResourceServer(pool, "api"); ok {
			t.Error("server created although the call was abandoned during its delay")
		}
	})

	t.Run("delay alone answers normally", func(t *testing.T) {
		t.Parallel()
		s, pool := setup(t)
		s.FailNext("", 1, rst.Fault{Delay: time.Millisecond})
		if _, err := s.Client(oneShot).CreateResourceServer(t.Context(), &cip.CreateResourceServerInput{UserPoolId: aws.String(pool), Identifier: aws.String("api"), Name: aws.String("API")}); err != nil {
			t.Fatalf("create = %v", err)
		}
		want := []rst.Request{{Operation: "CreateResourceServer", UserPoolID: pool, Identifier: "api", Status: 200, Applied: true}}
		if diff := cmp.Diff(want, s.Requests()); diff != "" {
			t.Errorf("Requests() (-want +got):\n%s", diff)
		}
	})

	t.Run("drop", func(t *testing.T) {
		t.Parallel()
		s, pool := setup(t)
		_ = s.PutResourceServer(rst.ResourceServer{UserPoolID: pool, Identifier: "api", Name: "API"})
		s.FailNext("", 1, rst.Fault{Drop: true})
		err := describe(t.Context(), s.Client(oneShot), pool, "api")
		var sendErr *smithyhttp.RequestSendError
		var ae smithy.APIError
		if !errors.As(err, &sendErr) || errors.As(err, &ae) {
			t.Fatalf("describe = %v, want a transport error and no service error", err)
		}
		s.FailNext("", 1, rst.Fault{Drop: true})
		if err := describe(t.Context(), s.Client(), pool, "api"); err != nil {
			t.Fatalf("describe with retries = %v, want success", err)
		}
		want := []rst.Request{
			{Operation: "DescribeResourceServer", UserPoolID: pool, Identifier: "api", Injected: true},
			{Operation: "DescribeResourceServer", UserPoolID: pool, Identifier: "api", Injected: true},
			{Operation: "DescribeResourceServer", UserPoolID: pool, Identifier: "api", Status: 200, Applied: true},
		}
		if diff := cmp.Diff(want, s.Requests()); diff != "" {
			t.Errorf("Requests() (-want +got):\n%s", diff)
		}
	})

	t.Run("drop after write then retry sees the write", func(t *testing.T) {
		t.Parallel()
		s, pool := setup(t)
		s.FailNext("CreateResourceServer", 1, rst.Fault{Drop: true, AfterWrite: true})
		_, err := s.Client().CreateResourceServer(t.Context(), &cip.CreateResourceServerInput{UserPoolId: aws.String(pool), Identifier: aws.String("api"), Name: aws.String("API")})
		var invalid *types.InvalidParameterException
		if !errors.As(err, &invalid) || aws.ToString(invalid.Message) != "api already exists in user pool "+pool+"." {
			t.Fatalf("create = %v, want the retry to find the dropped write", err)
		}
		if _, ok := s.ResourceServer(pool, "api"); !ok {
			t.Error("server not stored by the dropped call")
		}
		want := []rst.Request{
			{Operation: "CreateResourceServer", UserPoolID: pool, Identifier: "api", Applied: true, Injected: true},
			{Operation: "CreateResourceServer", UserPoolID: pool, Identifier: "api", Status: 400, Code: "InvalidParameterException", Message: "api already exists in user pool " + pool + "."},
		}
		if diff := cmp.Diff(want, s.Requests()); diff != "" {
			t.Errorf("Requests() (-want +got):\n%s", diff)
		}
	})

	t.Run("error after write", func(t *testing.T) {
		t.Parallel()
		s, pool := setup(t)
		_ = s.PutResourceServer(rst.ResourceServer{UserPoolID: pool, Identifier: "api", Name: "API", Scopes: scopes("a", "A")})
		s.FailNext("UpdateResourceServer", 1, rst.Fault{Code: "InternalErrorException", AfterWrite: true})
		_, err := s.Client(oneShot).UpdateResourceServer(t.Context(), &cip.UpdateResourceServerInput{UserPoolId: aws.String(pool), Identifier: aws.String("api"), Name: aws.String("New")})
		var internal *types.InternalErrorException
		if !errors.As(err, &internal) {
			t.Fatalf("update = %v, want InternalErrorException", err)
		}
		got, _ := s.ResourceServer(pool, "api")
		if diff := cmp.Diff(rst.ResourceServer{UserPoolID: pool, Identifier: "api", Name: "New"}, got); diff != "" {
			t.Errorf("stored after the faulted update (-want +got):\n%s", diff)
		}
	})
}

func TestSetFaultRate(t *testing.T) {
	t.Parallel()
	pattern := func(seed uint64) []string {
		s, pool := setup(t, rst.WithSeed(seed))
		_ = s.PutResourceServer(rst.ResourceServer{UserPoolID: pool, Identifier: "api", Name: "API"})
		c := s.Client(oneShot)
		s.SetFaultRate(0.5, rst.Fault{Code: "AException"}, rst.Fault{Code: "BException", Status: 503})
		for range 100 {
			_ = describe(t.Context(), c, pool, "api")
		}
		return codes(s.Requests())
	}
	first := pattern(7)
	counts := map[string]int{}
	for _, code := range first {
		counts[code]++
	}
	if counts["AException"] == 0 || counts["BException"] == 0 || counts[""] == 0 || len(counts) != 3 {
		t.Errorf("codes over 100 calls at rate 0.5 = %v, want successes and both faults", counts)
	}
	if diff := cmp.Diff(first, pattern(7)); diff != "" {
		t.Errorf("same seed, different faults (-first +second):\n%s", diff)
	}

	t.Run("off and all", func(t *testing.T) {
		s, pool := setup(t)
		_ = s.PutResourceServer(rst.ResourceServer{UserPoolID: pool, Identifier: "api", Name: "API"})
		c := s.Client(oneShot)
		s.SetFaultRate(1)
		var internal *types.InternalErrorException
		if err := describe(t.Context(), c, pool, "api"); !errors.As(err, &internal) {
			t.Errorf("describe at rate 1 = %v, want InternalErrorException", err)
		}
		s.FailNext("", 1, rst.Fault{Code: "FirstException"})
		if code, _ := apiError(t, describe(t.Context(), c, pool, "api")); code != "FirstException" {
			t.Errorf("FailNext under a fault rate gave %s, want FirstException", code)
		}
		s.SetFaultRate(0)
		for range 20 {
			if err := describe(t.Context(), c, pool, "api"); err != nil {
				t.Fatalf("describe at rate 0 = %v", err)
			}
		}
		s.FailNext("", 5, rst.Fault{Code: "PendingException"})
		s.SetFaultRate(1)
		s.ClearFaults()
		if err := describe(t.Context(), c, pool, "api"); err != nil {
			t.Errorf("describe after ClearFaults = %v", err)
		}
	})
}

func TestRateLimit(t *testing.T) {
	t.Parallel()
	// A rate this low refills nothing during the test, so exactly the burst (1) passes.
	s, pool := setup(t, rst.WithRateLimit(0.001))
	other := s.CreateUserPool("other")
	for _, p := range []string{pool, other} {
		_ = s.PutResourceServer(rst.ResourceServer{UserPoolID: p, Identifier: "api", Name: "API"})
	}
	c := s.Client(oneShot)
	ctx := t.Context()
	var throttled int
	for range 5 {
		err := describe(ctx, c, pool, "api")
		var tooMany *types.TooManyRequestsException
		switch {
		case err == nil:
		case errors.As(err, &tooMany):
			throttled++
		default:
			t.Fatalf("describe = %v", err)
		}
	}
	if throttled == 0 {
		t.Fatal("no call throttled")
	}
	// Another pool, and the other category, have their own buckets.
	if err := describe(ctx, c, other, "api"); err != nil {
		t.Errorf("describe in another pool = %v, want success", err)
	}
	if _, err := c.UpdateResourceServer(ctx, &cip.UpdateResourceServerInput{UserPoolId: aws.String(pool), Identifier: aws.String("api"), Name: aws.String("First")}); err != nil {
		t.Errorf("first update = %v, want success", err)
	}
	_, err := c.UpdateResourceServer(ctx, &cip.UpdateResourceServerInput{UserPoolId: aws.String(pool), Identifier: aws.String("api"), Name: aws.String("Second")})
	if code, _ := apiError(t, err); code != "TooManyRequestsException" {
		t.Errorf("second update = %v, want TooManyRequestsException", err)
	}
	if rs, _ := s.ResourceServer(pool, "api"); rs.Name != "First" {
		t.Errorf("name = %q, want First (the throttled update must not apply)", rs.Name)
	}
	// User-pool operations have no quota.
	for range 3 {
		if _, err := c.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(pool)}); err != nil {
			t.Errorf("DescribeUserPool = %v", err)
		}
	}
	var logged int
	for _, r := range s.Requests() {
		if r.Code == "TooManyRequestsException" {
			logged++
			if r.Status != 400 || r.Message != "Too many requests" || r.Applied {
				t.Errorf("throttled request logged as %+v", r)
			}
		}
	}
	if logged != throttled+1 {
		t.Errorf("logged %d throttled requests, want %d", logged, throttled+1)
	}
}

func TestAccountRateLimit(t *testing.T) {
	t.Parallel()
	s, pool := setup(t, rst.WithAccountRateLimit(0.001, 0.001))
	other := s.CreateUserPool("other")
	for _, p := range []string{pool, other} {
		_ = s.PutResourceServer(rst.ResourceServer{UserPoolID: p, Identifier: "api", Name: "API"})
	}
	c := s.Client(oneShot)
	if err := describe(t.Context(), c, pool, "api"); err != nil {
		t.Fatalf("first read = %v", err)
	}
	if code, _ := apiError(t, describe(t.Context(), c, other, "api")); code != "TooManyRequestsException" {
		t.Errorf("read in another pool: code %s, want TooManyRequestsException (the account's bucket is shared)", code)
	}
	if _, err := c.DeleteResourceServer(t.Context(), &cip.DeleteResourceServerInput{UserPoolId: aws.String(other), Identifier: aws.String("api")}); err != nil {
		t.Errorf("first update = %v, want success (separate category)", err)
	}
}
