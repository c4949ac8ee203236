package cognitotest

import (
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// fill sets every exported field reachable from v to a non-zero value.
func fill(t *testing.T, v reflect.Value) {
	t.Helper()
	switch v.Kind() {
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(t, v.Elem())
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(t, v.Field(i))
			}
		}
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fill(t, v.Index(0))
	case reflect.String:
		v.SetString("x")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int32, reflect.Int64, reflect.Int:
		v.SetInt(7)
	default:
		if v.Type().String() != "time.Time" {
			t.Fatalf("fill: unexpected kind %s (%s)", v.Kind(), v.Type())
		}
	}
}

// shared reports the path of a pointer or slice that a and b share, or "".
func shared(a, b reflect.Value, path string) string {
	switch a.Kind() {
	case reflect.Pointer:
		if a.IsNil() {
			return ""
		}
		if a.Pointer() == b.Pointer() {
			return path
		}
		return shared(a.Elem(), b.Elem(), path)
	case reflect.Slice:
		if a.Len() > 0 && a.Pointer() == b.Pointer() {
			return path
		}
	case reflect.Struct:
		for i := range a.NumField() {
			if !a.Type().Field(i).IsExported() {
				continue
			}
			if p := shared(a.Field(i), b.Field(i), path+"."+a.Type().Field(i).Name); p != "" {
				return p
			}
		}
	}
	return ""
}

// TestCloneClientIsDeep fails if a field of the SDK's UserPoolClientType, including one a newer
// SDK adds, is not deep-copied by cloneClient.
func TestCloneClientIsDeep(t *testing.T) {
	var c types.UserPoolClientType
	fill(t, reflect.ValueOf(&c).Elem())
	got := cloneClient(&c)
	if !reflect.DeepEqual(c, got) {
		t.Errorf("cloneClient changed the value:\n%+v\n%+v", c, got)
	}
	if p := shared(reflect.ValueOf(c), reflect.ValueOf(got), "UserPoolClientType"); p != "" {
		t.Errorf("cloneClient shares %s with the original", p)
	}
}
