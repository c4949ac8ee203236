package resourceserver_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/scopekeeper/scopekeeper/cognitotest"
	rserrors "github.com/scopekeeper/scopekeeper/errors"
	"github.com/scopekeeper/scopekeeper/internal/pacetest"
	"github.com/scopekeeper/scopekeeper/pace"
	"github.com/scopekeeper/scopekeeper/resourceserver"
)

// The examples run against the local emulator; in production, pass
// cognitoidentityprovider.NewFromConfig(cfg) to resourceserver.New.

const examplePool = "us-east-1_Example1"

// emulator starts a local Cognito emulator holding the user pool
// examplePool and a resource server "https://orders.example.com" named
// "Orders API" with the scope "orders.read".
//
// Each example plays a process of its own: the emulator is new, and so is
// the default Pacer (pace.Default). The emulator enforces no quota, so
// that Pacer paces nothing (pacetest.Unpaced): the examples show the calls
// without waiting out Cognito's quota between them, which package pace and
// the pacing tests cover.
func emulator() *cognitotest.Server {
	pace.SetDefault(pacetest.Unpaced())
	s := cognitotest.NewServer()
	if err := s.AddUserPool(examplePool, "example"); err != nil {
		log.Fatal(err)
	}
	err := s.PutResourceServer(cognitotest.ResourceServer{
		UserPoolID: examplePool, Identifier: "https://orders.example.com", Name: "Orders API",
		Scopes: []cognitotest.Scope{{Name: "orders.read", Description: "Read orders"}},
	})
	if err != nil {
		log.Fatal(err)
	}
	return s
}

func printServer(rs resourceserver.ResourceServer) {
	fmt.Printf("%s (%s)\n", rs.Identifier, rs.Name)
	for _, s := range rs.Scopes {
		fmt.Printf("  %s: %s\n", s.Name, s.Description)
	}
}

func ExampleNew() {
	s := emulator()
	defer s.Close()

	// s.Client() is a *cognitoidentityprovider.Client for the emulator.
	c := resourceserver.New(s.Client(), func(o *resourceserver.Options) {
		o.MaxAttempts = 3
	})
	rs, err := c.AddScope(context.Background(), examplePool, "https://orders.example.com",
		resourceserver.Scope{Name: "orders.write", Description: "Write orders"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(rs.TokenScopes())
	// Output:
	// [https://orders.example.com/orders.read https://orders.example.com/orders.write]
}

func ExampleClient_Create() {
	s := emulator()
	defer s.Close()
	c := resourceserver.New(s.Client())

	rs, err := c.Create(context.Background(), resourceserver.ResourceServer{
		UserPoolID: examplePool,
		Identifier: "https://billing.example.com",
		Name:       "Billing API",
		Scopes:     []resourceserver.Scope{{Name: "invoices.read", Description: "Read invoices"}},
	})
	if err != nil {
		log.Fatal(err)
	}
	printServer(rs)
	// Output:
	// https://billing.example.com (Billing API)
	//   invoices.read: Read invoices
}

func ExampleClient_Get() {
	s := emulator()
	defer s.Close()
	c := resourceserver.New(s.Client())

	rs, err := c.Get(context.Background(), examplePool, "https://orders.example.com")
	if err != nil {
		log.Fatal(err)
	}
	printServer(rs)

	_, err = c.Get(context.Background(), examplePool, "https://missing.example.com")
	fmt.Println(rserrors.IsNotFound(err))
	// Output:
	// https://orders.example.com (Orders API)
	//   orders.read: Read orders
	// true
}

func ExampleClient_Delete() {
	s := emulator()
	defer s.Close()
	c := resourceserver.New(s.Client())

	if err := c.Delete(context.Background(), examplePool, "https://orders.example.com"); err != nil {
		log.Fatal(err)
	}
	err := c.Delete(context.Background(), examplePool, "https://orders.example.com")
	fmt.Println(rserrors.IsNotFound(err))
	// Output:
	// true
}

func ExampleClient_List() {
	s := emulator()
	defer s.Close()
	c := resourceserver.New(s.Client())
	ctx := context.Background()
	_, err := c.Create(ctx, resourceserver.ResourceServer{UserPoolID: examplePool, Identifier: "https://billing.example.com", Name: "Billing API"})
	if err != nil {
		log.Fatal(err)
	}

	for rs, err := range c.List(ctx, examplePool) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(rs.Identifier, len(rs.Scopes))
	}
	// Output:
	// https://billing.example.com 0
	// https://orders.example.com 1
}

func ExampleClient_Modify() {
	s := emulator()
	defer s.Close()
	c := resourceserver.New(s.Client())

	rs, err := c.Modify(context.Background(), examplePool, "https://orders.example.com",
		func(rs *resourceserver.ResourceServer) error {
			rs.Name = "Orders"
			rs.Scopes = append(rs.Scopes, resourceserver.Scope{Name: "orders.cancel", Description: "Cancel orders"})
			return nil
		})
	if err != nil {
		log.Fatal(err)
	}
	printServer(rs)
	// Output:
	// https://orders.example.com (Orders)
	//   orders.read: Read orders
	//   orders.cancel: Cancel orders
}

func ExampleClient_AddScope() {
	s := emulator()
	defer s.Close()
	c := resourceserver.New(s.Client())

	rs, err := c.AddScope(context.Background(), examplePool, "https://orders.example.com",
		resourceserver.Scope{Name: "orders.write", Description: "Write orders"})
	if err != nil {
		log.Fatal(err)
	}
	printServer(rs)
	// Output:
	// https://orders.example.com (Orders API)
	//   orders.read: Read orders
	//   orders.write: Write orders
}

func ExampleClient_AddScopes() {
	s := emulator()
	defer s.Close()
	c := resourceserver.New(s.Client())

	// orders.read exists with another description: it is updated in place.
	rs, err := c.AddScopes(context.Background(), examplePool, "https://orders.example.com",
		resourceserver.Scope{Name: "orders.write", Description: "Write orders"},
		resourceserver.Scope{Name: "orders.read", Description: "Read every order"})
	if err != nil {
		log.Fatal(err)
	}
	printServer(rs)

	// A repeated name is refused before anything is sent.
	_, err = c.AddScopes(context.Background(), examplePool, "https://orders.example.com",
		resourceserver.Scope{Name: "orders.x", Description: "X"},
		resourceserver.Scope{Name: "orders.x", Description: "Y"})
	var ve *rserrors.ValidationError
	if errors.As(err, &ve) {
		for _, v := range ve.Violations {
			fmt.Println(v.Field, v.Rule)
		}
	}
	// Output:
	// https://orders.example.com (Orders API)
	//   orders.read: Read every order
	//   orders.write: Write orders
	// scopes[1].Name unique
}

func ExampleClient_RemoveScopes() {
	s := emulator()
	defer s.Close()
	c := resourceserver.New(s.Client())
	ctx := context.Background()
	_, err := c.AddScope(ctx, examplePool, "https://orders.example.com", resourceserver.Scope{Name: "orders.write", Description: "Write orders"})
	if err != nil {
		log.Fatal(err)
	}

	// A name that is not there is no error.
	rs, err := c.RemoveScopes(ctx, examplePool, "https://orders.example.com", "orders.read", "orders.missing")
	if err != nil {
		log.Fatal(err)
	}
	printServer(rs)
	// Output:
	// https://orders.example.com (Orders API)
	//   orders.write: Write orders
}

func ExampleClient_UpdateScopes() {
	s := emulator()
	defer s.Close()
	c := resourceserver.New(s.Client())
	ctx := context.Background()

	rs, err := c.UpdateScopes(ctx, examplePool, "https://orders.example.com", []resourceserver.Scope{
		{Name: "orders.admin", Description: "Administer orders"},
	})
	if err != nil {
		log.Fatal(err)
	}
	printServer(rs)

	// An empty list would delete every scope: it is refused.
	_, err = c.UpdateScopes(ctx, examplePool, "https://orders.example.com", nil)
	fmt.Println(rserrors.IsValidation(err))
	// Output:
	// https://orders.example.com (Orders API)
	//   orders.admin: Administer orders
	// true
}

func ExampleClient_ClearScopes() {
	s := emulator()
	defer s.Close()
	c := resourceserver.New(s.Client())

	rs, err := c.ClearScopes(context.Background(), examplePool, "https://orders.example.com")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(rs.Name, len(rs.Scopes))
	// Output:
	// Orders API 0
}

func ExampleClient_Rename() {
	s := emulator()
	defer s.Close()
	c := resourceserver.New(s.Client())

	rs, err := c.Rename(context.Background(), examplePool, "https://orders.example.com", "Orders API v2")
	if err != nil {
		log.Fatal(err)
	}
	printServer(rs)
	// Output:
	// https://orders.example.com (Orders API v2)
	//   orders.read: Read orders
}

func ExampleResourceServer_TokenScopes() {
	rs := resourceserver.ResourceServer{
		Identifier: "https://orders.example.com",
		Scopes:     []resourceserver.Scope{{Name: "orders.read"}, {Name: "orders.write"}},
	}
	for _, s := range rs.TokenScopes() {
		fmt.Println(s)
	}
	// Output:
	// https://orders.example.com/orders.read
	// https://orders.example.com/orders.write
}

func ExampleParseScope() {
	id, name, err := resourceserver.ParseScope("https://orders.example.com/orders.read")
	fmt.Println(id, name, err)

	_, _, err = resourceserver.ParseScope("orders.read")
	fmt.Println(rserrors.IsValidation(err))
	// Output:
	// https://orders.example.com orders.read <nil>
	// true
}

func ExampleNewMemoryLocker() {
	s := emulator()
	defer s.Close()

	// Two Clients, as in two processes, sharing one lock.
	l := resourceserver.NewMemoryLocker()
	a := resourceserver.New(s.Client(), func(o *resourceserver.Options) { o.Locker = l })
	b := resourceserver.New(s.Client(), func(o *resourceserver.Options) { o.Locker = l })
	ctx := context.Background()
	if _, err := a.AddScope(ctx, examplePool, "https://orders.example.com", resourceserver.Scope{Name: "a", Description: "From a"}); err != nil {
		log.Fatal(err)
	}
	rs, err := b.AddScope(ctx, examplePool, "https://orders.example.com", resourceserver.Scope{Name: "b", Description: "From b"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(rs.Scopes))
	// Output:
	// 3
}

func ExampleOpError() {
	s := emulator()
	defer s.Close()
	c := resourceserver.New(s.Client())

	_, err := c.Rename(context.Background(), examplePool, "https://missing.example.com", "Missing")
	var oe *resourceserver.OpError
	if errors.As(err, &oe) {
		fmt.Println(oe.Op, oe.UserPoolID, oe.Identifier, rserrors.IsNotFound(oe.Err))
	}
	// Output:
	// Rename us-east-1_Example1 https://missing.example.com true
}
