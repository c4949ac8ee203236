package engine

import (
	"fmt"
	"reflect"
)

// The one way every constructor of scopekeeper (resourceserver.New,
// appclient.New, reconcile.New, resourceserver.NewMemoryLocker) refuses
// what no correct program passes: it panics, as New(nil) does, with a
// message that names the package, the option and the rule, since a
// constructor returns no error. The zero value of every option means its
// default; a value outside its documented range is such a mistake.

// MustAPI panics when api is nil or a nil pointer.
func MustAPI(pkg string, api any) {
	if api == nil {
		panic(pkg + ": New called with a nil API; pass a *cognitoidentityprovider.Client or a fake")
	}
	if v := reflect.ValueOf(api); v.Kind() == reflect.Pointer && v.IsNil() {
		panic(pkg + ": New called with a nil " + v.Type().String() + "; pass a *cognitoidentityprovider.Client or a fake")
	}
}

// MustNotNegative panics when the option name holds a negative value.
func MustNotNegative[N int | float64](pkg, name string, v N) {
	if v < 0 {
		panic(fmt.Sprintf("%s: Options.%s is %v; it must not be negative (0 means the default)", pkg, name, v))
	}
}
