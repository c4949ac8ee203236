package exampleenv_test

import (
	"context"
	"fmt"
	"log"

	"github.com/scopekeeper/scopekeeper/examples/internal/exampleenv"
	"github.com/scopekeeper/scopekeeper/resourceserver"
)

// An example program's run function works the same on every target; a
// test gives it the embedded emulator.
func ExampleEmbedded() {
	ctx := context.Background()
	env := exampleenv.Embedded()
	defer func() {
		if err := env.Close(ctx); err != nil {
			log.Fatal(err)
		}
	}()

	c := resourceserver.New(env.API())
	rs, err := c.Create(ctx, resourceserver.ResourceServer{
		UserPoolID: env.PoolID,
		Identifier: env.Identifier("orders"), // deleted by Close
		Name:       "Orders API",
		Scopes:     []resourceserver.Scope{{Name: "orders.read", Description: "Read orders"}},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(env)
	fmt.Println(rs.TokenScopes())
	// Output:
	// the embedded Cognito emulator (a new user pool)
	// [https://orders.example.com/orders.read]
}
