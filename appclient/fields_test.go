package appclient_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/scopekeeper/scopekeeper/appclient"
)

const (
	testPool   = "us-east-1_Test1"
	testClient = "client1"
	ordersAPI  = "https://orders.example.com"
)

// identityMembers name the app client rather than set it.
var identityMembers = map[string]bool{"UserPoolId": true, "ClientId": true}

// appField names the AppClient field that holds an input member.
func appField(member string) string {
	if member == "IdTokenValidity" {
		return "IDTokenValidity"
	}
	return member
}

// updatableMembers lists the exported members of UpdateUserPoolClientInput
// that set an app client, by reflection.
func updatableMembers() []string {
	var names []string
	t := reflect.TypeFor[cip.UpdateUserPoolClientInput]()
	for i := range t.NumField() {
		if f := t.Field(i); f.IsExported() && !identityMembers[f.Name] {
			names = append(names, f.Name)
		}
	}
	return names
}

// fill sets every settable part of v to a value other than its zero value
// and other than Cognito's defaults, seeded by tag so that two members
// never share a value by accident.
func fill(v reflect.Value, tag string) {
	switch v.Kind() {
	case reflect.String:
		v.SetString("v-" + tag)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int32:
		v.SetInt(int64(len(tag) + 7))
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		fill(p.Elem(), tag)
		v.Set(p)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 2, 2)
		fill(s.Index(0), tag+"0")
		fill(s.Index(1), tag+"1")
		v.Set(s)
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), tag+"."+v.Type().Field(i).Name)
			}
		}
	}
}

// fullClient returns an app client of testPool whose every member has a
// non-default value, OAuth on, and the scope ordersAPI/orders.read.
func fullClient() types.UserPoolClientType {
	var c types.UserPoolClientType
	fill(reflect.ValueOf(&c).Elem(), "c")
	c.UserPoolId, c.ClientId = aws.String(testPool), aws.String(testClient)
	c.AllowedOAuthScopes = []string{ordersAPI + "/orders.read"}
	return c
}

// carried returns in's member as the Describe of c holds it, a *bool
// read as a bool where the input has a bool.
func member(v reflect.Value, name string, like reflect.Type) any {
	f := v.FieldByName(name)
	if f.Type() != like && f.Kind() == reflect.Pointer && f.Type().Elem() == like {
		if f.IsNil() {
			return reflect.Zero(like).Interface()
		}
		return f.Elem().Interface()
	}
	return f.Interface()
}

// TestEveryMemberIsMapped fails when UpdateUserPoolClientInput has a member
// (added by a newer SDK) that the Describe's type or AppClient lacks: such
// a member could not be carried over or changed.
func TestEveryMemberIsMapped(t *testing.T) {
	ct, at := reflect.TypeFor[types.UserPoolClientType](), reflect.TypeFor[appclient.AppClient]()
	it := reflect.TypeFor[cip.UpdateUserPoolClientInput]()
	for _, name := range updatableMembers() {
		in, _ := it.FieldByName(name)
		src, ok := ct.FieldByName(name)
		if !ok {
			t.Errorf("UserPoolClientType has no member %s: DescribeUserPoolClient cannot carry it", name)
		} else if src.Type != in.Type && !(src.Type.Kind() == reflect.Pointer && src.Type.Elem() == in.Type) {
			t.Errorf("UserPoolClientType.%s is %v, UpdateUserPoolClientInput.%s is %v", name, src.Type, name, in.Type)
		}
		if _, ok := at.FieldByName(appField(name)); !ok {
			t.Errorf("AppClient has no field %s for UpdateUserPoolClientInput.%s", appField(name), name)
		}
	}
}

// TestGrantCarriesEveryMember proves by reflection that an update carries
// every member of UpdateUserPoolClientInput over from the Describe: a
// client whose every member has a non-default value gets a scope, and the
// Update holds every other member exactly as the Describe returned it.
func TestGrantCarriesEveryMember(t *testing.T) {
	f := newFake()
	desc := fullClient()
	f.putClient(desc)
	f.putServer(testPool, ordersAPI, "orders.read", "orders.write")
	c := appclient.New(f, noWait)

	if _, err := c.GrantScopes(context.Background(), testPool, testClient, ordersAPI+"/orders.write"); err != nil {
		t.Fatalf("GrantScopes() error = %v", err)
	}
	ups := f.updates()
	if len(ups) != 1 {
		t.Fatalf("UpdateUserPoolClient calls = %d, want 1", len(ups))
	}
	in := reflect.ValueOf(ups[0]).Elem()
	dv := reflect.ValueOf(desc)
	for _, name := range append(updatableMembers(), "UserPoolId", "ClientId") {
		got := in.FieldByName(name).Interface()
		want := member(dv, name, in.FieldByName(name).Type())
		if name == "AllowedOAuthScopes" {
			want = []string{ordersAPI + "/orders.read", ordersAPI + "/orders.write"}
		}
		if diff := cmp.Diff(want, got, cmpopts.IgnoreUnexported(types.AnalyticsConfigurationType{}, types.RefreshTokenRotationType{}, types.TokenValidityUnitsType{})); diff != "" {
			t.Errorf("Update member %s (-described +sent):\n%s", name, diff)
		}
	}
}

// TestModifyChangesOnlyThatMember changes each AppClient field in turn and
// checks that the Update changes that member and carries every other one.
func TestModifyChangesOnlyThatMember(t *testing.T) {
	for _, name := range updatableMembers() {
		t.Run(name, func(t *testing.T) {
			f := newFake()
			desc := fullClient()
			f.putClient(desc)
			f.putServer(testPool, ordersAPI, "orders.read", "v-new")
			c := appclient.New(f, noWait)
			_, err := c.Modify(context.Background(), testPool, testClient, func(a *appclient.AppClient) error {
				fv := reflect.ValueOf(a).Elem().FieldByName(appField(name))
				if name == "AllowedOAuthScopes" {
					a.AllowedOAuthScopes = append(a.AllowedOAuthScopes, ordersAPI+"/v-new")
					return nil
				}
				alter(fv)
				return nil
			})
			if err != nil {
				t.Fatalf("Modify() error = %v", err)
			}
			ups := f.updates()
			if len(ups) != 1 {
				t.Fatalf("UpdateUserPoolClient calls = %d, want 1", len(ups))
			}
			in, dv := reflect.ValueOf(ups[0]).Elem(), reflect.ValueOf(desc)
			for _, m := range updatableMembers() {
				got, want := in.FieldByName(m).Interface(), member(dv, m, in.FieldByName(m).Type())
				eq := cmp.Equal(want, got, cmpopts.IgnoreUnexported(types.AnalyticsConfigurationType{}, types.RefreshTokenRotationType{}, types.TokenValidityUnitsType{}))
				if m == name && eq {
					t.Errorf("Update member %s = %v, unchanged although fn changed it", m, got)
				}
				if m != name && !eq {
					t.Errorf("Update member %s = %v, want %v as described", m, got, want)
				}
			}
		})
	}
}

// alter changes v to another valid value of its type.
func alter(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(v.String() + "-changed")
	case reflect.Bool:
		v.SetBool(!v.Bool())
	case reflect.Int32:
		v.SetInt(v.Int() + 1)
	case reflect.Slice:
		e := reflect.New(v.Type().Elem()).Elem()
		fill(e, "added")
		v.Set(reflect.Append(v, e))
	case reflect.Struct:
		alter(v.Field(0))
	}
}

// noWait turns off rate limits and backoff, so unit tests run at once.
func noWait(o *appclient.Options) {
	o.DisableRateLimit = true
	o.Backoff = func(int) time.Duration { return 0 }
}

var errBoom = errors.New("boom")
