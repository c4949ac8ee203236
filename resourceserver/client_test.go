package resourceserver_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/google/go-cmp/cmp"

	rserrors "github.com/scopekeeper/scopekeeper/errors"
	"github.com/scopekeeper/scopekeeper/resourceserver"
)

func TestTokenScopes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		rs   resourceserver.ResourceServer
		want []string
	}{
		{makeServer(), nil},
		{makeServer(readScope, writeScope), []string{testID + "/orders.read", testID + "/orders.write"}},
		{resourceserver.ResourceServer{Identifier: "orders", Scopes: []resourceserver.Scope{readScope}}, []string{"orders/orders.read"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, tt.rs.TokenScopes()); diff != "" {
			t.Errorf("%+v.TokenScopes() mismatch (-want +got):\n%s", tt.rs, diff)
		}
	}
}

func TestParseScope(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in       string
		wantID   string
		wantName string
		wantErr  bool
	}{
		{in: "https://orders.example.com/orders.read", wantID: "https://orders.example.com", wantName: "orders.read"},
		{in: "orders/read", wantID: "orders", wantName: "read"},
		{in: "https://example.com/api/v1/read:all", wantID: "https://example.com/api/v1", wantName: "read:all"},
		{in: "read", wantErr: true},
		{in: "", wantErr: true},
		{in: "/read", wantErr: true},
		{in: "orders/", wantErr: true},
		{in: "orders api/read", wantErr: true},
		{in: "orders/read all", wantErr: true},
		{in: `orders/re"ad`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			id, name, err := resourceserver.ParseScope(tt.in)
			if tt.wantErr {
				if !rserrors.IsValidation(err) {
					t.Errorf("ParseScope(%q) error = %v, want a validation error", tt.in, err)
				}
				return
			}
			if err != nil || id != tt.wantID || name != tt.wantName {
				t.Errorf("ParseScope(%q) = %q, %q, %v, want %q, %q, nil", tt.in, id, name, err, tt.wantID, tt.wantName)
			}
		})
	}
}

// TestParseScopeRoundTrip checks that ParseScope undoes TokenScopes.
func TestParseScopeRoundTrip(t *testing.T) {
	t.Parallel()
	rs := makeServer(makeScopes(5)...)
	for i, s := range rs.TokenScopes() {
		id, name, err := resourceserver.ParseScope(s)
		if err != nil || id != rs.Identifier || name != rs.Scopes[i].Name {
			t.Errorf("ParseScope(%q) = %q, %q, %v, want %q, %q, nil", s, id, name, err, rs.Identifier, rs.Scopes[i].Name)
		}
	}
}

func TestOpErrorMessage(t *testing.T) {
	t.Parallel()
	cause := errors.New("boom")
	tests := []struct {
		err  *resourceserver.OpError
		want string
	}{
		{&resourceserver.OpError{Package: "resourceserver", Op: "AddScopes", UserPoolID: "us-east-1_x", Identifier: "api", Err: cause}, "resourceserver: AddScopes us-east-1_x/api: boom"},
		{&resourceserver.OpError{Package: "resourceserver", Op: "List", UserPoolID: "us-east-1_x", Err: cause}, "resourceserver: List us-east-1_x: boom"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
		if !errors.Is(tt.err, cause) {
			t.Errorf("errors.Is(%v, cause) = false, want true", tt.err)
		}
	}
}

func TestCreate(t *testing.T) {
	t.Parallel()
	f := newFake()
	c := newTestClient(f)
	want := makeServer(readScope, writeScope)
	got, err := c.Create(t.Context(), want)
	if err != nil {
		t.Fatalf("Create() error = %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Create() mismatch (-want +got):\n%s", diff)
	}
	wantIn := &cip.CreateResourceServerInput{
		UserPoolId: aws.String(testPool), Identifier: aws.String(testID), Name: aws.String(want.Name),
		Scopes: updateInput(want).Scopes,
	}
	if diff := cmp.Diff([]call{{Op: opCreate, Input: wantIn}}, f.calls(), ignoreSDK); diff != "" {
		t.Errorf("calls mismatch (-want +got):\n%s", diff)
	}

	_, err = c.Create(t.Context(), want)
	if !rserrors.IsInvalidParameter(err) {
		t.Errorf("second Create() error = %v, want InvalidParameter", err)
	}
	checkOpError(t, err, "Create", testID)
}

func TestGetAndDelete(t *testing.T) {
	t.Parallel()
	want := makeServer(readScope)
	f := newFake(want)
	c := newTestClient(f)
	got, err := c.Get(t.Context(), testPool, testID)
	if err != nil {
		t.Fatalf("Get() error = %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Get() mismatch (-want +got):\n%s", diff)
	}
	if err := c.Delete(t.Context(), testPool, testID); err != nil {
		t.Fatalf("Delete() error = %v", err)
	}
	err = c.Delete(t.Context(), testPool, testID)
	if !rserrors.IsNotFound(err) {
		t.Errorf("second Delete() error = %v, want NotFound", err)
	}
	checkOpError(t, err, "Delete", testID)
	if diff := cmp.Diff([]string{opDescribe, opDelete, opDelete}, f.ops()); diff != "" {
		t.Errorf("calls mismatch (-want +got):\n%s", diff)
	}
}

// TestNotFound checks that Describe's ResourceNotFoundException reaches
// the caller as every form a caller may test for.
func TestNotFound(t *testing.T) {
	t.Parallel()
	c := newTestClient(newFake())
	tests := []struct {
		op string
		do func() error
	}{
		{"Get", func() error { _, err := c.Get(t.Context(), testPool, testID); return err }},
		{"AddScope", func() error { _, err := c.AddScope(t.Context(), testPool, testID, readScope); return err }},
		{"Modify", func() error {
			_, err := c.Modify(t.Context(), testPool, testID, func(*resourceserver.ResourceServer) error { return nil })
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.op, func(t *testing.T) {
			err := tt.do()
			if !rserrors.IsNotFound(err) {
				t.Errorf("%s() error = %v, want NotFound", tt.op, err)
			}
			var mapped *rserrors.ResourceNotFoundError
			if !errors.As(err, &mapped) {
				t.Errorf("%s() error %v is not a *rserrors.ResourceNotFoundError", tt.op, err)
			}
			var raw *types.ResourceNotFoundException
			if !errors.As(err, &raw) {
				t.Errorf("%s() error %v does not wrap *types.ResourceNotFoundException", tt.op, err)
			}
			checkOpError(t, err, tt.op, testID)
		})
	}
}

// each calls every Client method once with the given arguments and
// returns its error, by method name.
func each(ctx context.Context, c *resourceserver.Client, pool, id string) map[string]error {
	errs := make(map[string]error)
	_, errs["Create"] = c.Create(ctx, resourceserver.ResourceServer{UserPoolID: pool, Identifier: id, Name: "Orders", Scopes: []resourceserver.Scope{readScope}})
	_, errs["Get"] = c.Get(ctx, pool, id)
	errs["Delete"] = c.Delete(ctx, pool, id)
	for _, err := range c.List(ctx, pool) {
		errs["List"] = err
	}
	_, errs["Modify"] = c.Modify(ctx, pool, id, func(rs *resourceserver.ResourceServer) error { rs.Name = "Other"; return nil })
	_, errs["AddScope"] = c.AddScope(ctx, pool, id, adminScope)
	_, errs["AddScopes"] = c.AddScopes(ctx, pool, id, adminScope)
	_, errs["RemoveScopes"] = c.RemoveScopes(ctx, pool, id, readScope.Name)
	_, errs["UpdateScopes"] = c.UpdateScopes(ctx, pool, id, []resourceserver.Scope{adminScope})
	_, errs["ClearScopes"] = c.ClearScopes(ctx, pool, id)
	_, errs["Rename"] = c.Rename(ctx, pool, id, "Other")
	return errs
}

func TestCancelledContextSendsNothing(t *testing.T) {
	t.Parallel()
	for _, limited := range []bool{false, true} {
		t.Run(fmt.Sprintf("rate limited=%t", limited), func(t *testing.T) {
			t.Parallel()
			f := newFake(makeServer(readScope))
			c := resourceserver.New(f, func(o *resourceserver.Options) { o.DisableRateLimit = !limited })
			ctx, cancel := context.WithCancel(t.Context())
			cancel()
			errs := each(ctx, c, testPool, testID)
			if len(errs) != 11 {
				t.Fatalf("each() tried %d methods, want 11", len(errs))
			}
			for op, err := range errs {
				if !errors.Is(err, context.Canceled) {
					t.Errorf("%s() error = %v, want %v", op, err, context.Canceled)
				}
			}
			if calls := f.calls(); len(calls) != 0 {
				t.Errorf("calls = %v, want none", calls)
			}
		})
	}
}

func TestInvalidArgumentsSendNothing(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	repeated := []resourceserver.Scope{readScope, adminScope, {Name: readScope.Name, Description: "again"}}
	tests := []struct {
		name      string
		do        func(*resourceserver.Client) error
		wantField string        // when set, a violation expected on this field
		wantRule  rserrors.Rule // with this rule
	}{
		{name: "Create name with slash", do: func(c *resourceserver.Client) error {
			_, err := c.Create(ctx, resourceserver.ResourceServer{UserPoolID: testPool, Identifier: testID, Name: "a/b"})
			return err
		}, wantField: "rs.Name", wantRule: rserrors.RulePattern},
		{name: "Create 101 scopes", do: func(c *resourceserver.Client) error {
			_, err := c.Create(ctx, makeServer(makeScopes(101)...))
			return err
		}, wantField: "rs.Scopes", wantRule: rserrors.RuleMaxItems},
		{name: "Get bad pool", do: func(c *resourceserver.Client) error {
			_, err := c.Get(ctx, "not a pool", testID)
			return err
		}, wantField: "poolID", wantRule: rserrors.RulePattern},
		{name: "Get empty identifier", do: func(c *resourceserver.Client) error {
			_, err := c.Get(ctx, testPool, "")
			return err
		}, wantField: "identifier"},
		{name: "Delete identifier with space", do: func(c *resourceserver.Client) error {
			return c.Delete(ctx, testPool, "orders api")
		}, wantField: "identifier", wantRule: rserrors.RulePattern},
		{name: "List bad pool", do: func(c *resourceserver.Client) error {
			for _, err := range c.List(ctx, "us-east-1_") {
				return err
			}
			return nil
		}, wantField: "poolID", wantRule: rserrors.RulePattern},
		{name: "Modify nil fn", do: func(c *resourceserver.Client) error {
			_, err := c.Modify(ctx, testPool, testID, nil)
			return err
		}, wantField: "fn", wantRule: rserrors.RuleRequired},
		{name: "Modify bad pool", do: func(c *resourceserver.Client) error {
			_, err := c.Modify(ctx, "pool", testID, func(*resourceserver.ResourceServer) error { return nil })
			return err
		}, wantField: "poolID", wantRule: rserrors.RulePattern},
		{name: "AddScope name with slash", do: func(c *resourceserver.Client) error {
			_, err := c.AddScope(ctx, testPool, testID, resourceserver.Scope{Name: "orders/read", Description: "x"})
			return err
		}, wantField: "scope.Name", wantRule: rserrors.RulePattern},
		{name: "AddScope empty description", do: func(c *resourceserver.Client) error {
			_, err := c.AddScope(ctx, testPool, testID, resourceserver.Scope{Name: "orders.read"})
			return err
		}, wantField: "scope.Description"},
		{name: "AddScopes repeated name", do: func(c *resourceserver.Client) error {
			_, err := c.AddScopes(ctx, testPool, testID, repeated...)
			return err
		}, wantField: "scopes[2].Name", wantRule: rserrors.RuleUnique},
		{name: "AddScopes 101", do: func(c *resourceserver.Client) error {
			_, err := c.AddScopes(ctx, testPool, testID, makeScopes(101)...)
			return err
		}, wantField: "scopes", wantRule: rserrors.RuleMaxItems},
		{name: "RemoveScopes token scope", do: func(c *resourceserver.Client) error {
			_, err := c.RemoveScopes(ctx, testPool, testID, "orders.read", testID+"/orders.write")
			return err
		}, wantField: "names[1]", wantRule: rserrors.RulePattern},
		{name: "UpdateScopes nil", do: func(c *resourceserver.Client) error {
			_, err := c.UpdateScopes(ctx, testPool, testID, nil)
			return err
		}, wantField: "scopes", wantRule: rserrors.RuleRequired},
		{name: "UpdateScopes empty", do: func(c *resourceserver.Client) error {
			_, err := c.UpdateScopes(ctx, testPool, testID, []resourceserver.Scope{})
			return err
		}, wantField: "scopes", wantRule: rserrors.RuleRequired},
		{name: "UpdateScopes repeated name", do: func(c *resourceserver.Client) error {
			_, err := c.UpdateScopes(ctx, testPool, testID, repeated)
			return err
		}, wantField: "scopes[2].Name", wantRule: rserrors.RuleUnique},
		{name: "ClearScopes bad identifier", do: func(c *resourceserver.Client) error {
			_, err := c.ClearScopes(ctx, testPool, `orders"api`)
			return err
		}, wantField: "identifier", wantRule: rserrors.RulePattern},
		{name: "Rename empty", do: func(c *resourceserver.Client) error {
			_, err := c.Rename(ctx, testPool, testID, "")
			return err
		}, wantField: "name"},
		{name: "Rename with slash", do: func(c *resourceserver.Client) error {
			_, err := c.Rename(ctx, testPool, testID, "Orders/API")
			return err
		}, wantField: "name", wantRule: rserrors.RulePattern},
		{name: "Apply bad scope", do: func(c *resourceserver.Client) error {
			_, err := c.Apply(ctx, testPool, testID, resourceserver.Change{}.Add(readScope, resourceserver.Scope{Name: "a b", Description: "x"}))
			return err
		}, wantField: "Change.Add[1].Name", wantRule: rserrors.RulePattern},
		{name: "Ensure without name", do: func(c *resourceserver.Client) error {
			_, err := c.Ensure(ctx, resourceserver.ResourceServer{UserPoolID: testPool, Identifier: testID})
			return err
		}, wantField: "rs.Name", wantRule: rserrors.RuleLength},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(makeServer(readScope, writeScope))
			err := tt.do(newTestClient(f))
			if !rserrors.IsValidation(err) {
				t.Fatalf("error = %v, want a validation error", err)
			}
			var oe *resourceserver.OpError
			var ve *rserrors.ValidationError
			if !errors.As(err, &oe) || !errors.As(err, &ve) {
				t.Fatalf("error %v is not an *OpError holding a *ValidationError", err)
			}
			if ve.Operation != oe.Op {
				t.Errorf("ValidationError.Operation = %q, want the method %q", ve.Operation, oe.Op)
			}
			v := violation(err, tt.wantField)
			if v == nil {
				t.Errorf("error %v has no violation on %s", err, tt.wantField)
			} else if tt.wantRule != "" && v.Rule != tt.wantRule {
				t.Errorf("violation on %s has rule %q, want %q", tt.wantField, v.Rule, tt.wantRule)
			}
			if calls := f.calls(); len(calls) != 0 {
				t.Errorf("calls = %v, want none", calls)
			}
		})
	}
}

// pagedFake returns a fake holding n resource servers in testPool.
func pagedFake(n int) (*fakeAPI, []resourceserver.ResourceServer) {
	f := newFake()
	var want []resourceserver.ResourceServer
	for i := range n {
		rs := resourceserver.ResourceServer{UserPoolID: testPool, Identifier: fmt.Sprintf("api-%03d", i), Name: "API", Scopes: []resourceserver.Scope{readScope}}
		f.put(rs)
		want = append(want, rs)
	}
	return f, want
}

func TestListEveryPage(t *testing.T) {
	t.Parallel()
	f, want := pagedFake(120)
	var got []resourceserver.ResourceServer
	for rs, err := range newTestClient(f).List(t.Context(), testPool) {
		if err != nil {
			t.Fatalf("List() error = %v", err)
		}
		got = append(got, rs)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("List() mismatch (-want +got):\n%s", diff)
	}
	var tokens []string
	for _, c := range f.calls() {
		in := c.Input.(*cip.ListResourceServersInput)
		if aws.ToInt32(in.MaxResults) != 50 {
			t.Errorf("ListResourceServers MaxResults = %d, want 50", aws.ToInt32(in.MaxResults))
		}
		tokens = append(tokens, aws.ToString(in.NextToken))
	}
	if diff := cmp.Diff([]string{"", "api-049", "api-099"}, tokens); diff != "" {
		t.Errorf("page tokens mismatch (-want +got):\n%s", diff)
	}
}

func TestListStopsWhenTheLoopBreaks(t *testing.T) {
	t.Parallel()
	f, _ := pagedFake(120)
	n := 0
	for _, err := range newTestClient(f).List(t.Context(), testPool) {
		if err != nil {
			t.Fatalf("List() error = %v", err)
		}
		if n++; n == 50 {
			break
		}
	}
	if diff := cmp.Diff([]string{opList}, f.ops()); diff != "" {
		t.Errorf("calls mismatch (-want +got):\n%s", diff)
	}
}

func TestListYieldsTheErrorOnce(t *testing.T) {
	t.Parallel()
	f, _ := pagedFake(120)
	pages := 0
	f.OnList = func(_ context.Context, in *cip.ListResourceServersInput) (*cip.ListResourceServersOutput, error) {
		if pages++; pages == 2 {
			return nil, &types.InternalErrorException{Message: aws.String("boom")}
		}
		return &cip.ListResourceServersOutput{
			ResourceServers: []types.ResourceServerType{*toType(makeServer())},
			NextToken:       aws.String(fmt.Sprint("page", pages)),
		}, nil
	}
	var items, errs int
	for _, err := range newTestClient(f).List(t.Context(), testPool) {
		if err != nil {
			errs++
			if !rserrors.IsInternalError(err) {
				t.Errorf("List() error = %v, want InternalError", err)
			}
			var oe *resourceserver.OpError
			if !errors.As(err, &oe) || oe.Op != "List" || oe.UserPoolID != testPool {
				t.Errorf("List() error %v is not an *OpError for List on %s", err, testPool)
			}
			continue
		}
		items++
	}
	if items != 1 || errs != 1 {
		t.Errorf("List() yielded %d items and %d errors, want 1 and 1", items, errs)
	}
	if diff := cmp.Diff([]string{opList, opList}, f.ops()); diff != "" {
		t.Errorf("calls mismatch (-want +got):\n%s", diff)
	}
}
