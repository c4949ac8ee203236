package reconcile_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/scopekeeper/scopekeeper/appclient"
	"github.com/scopekeeper/scopekeeper/cognitotest"
	"github.com/scopekeeper/scopekeeper/internal/pacetest"
	"github.com/scopekeeper/scopekeeper/pace"
	"github.com/scopekeeper/scopekeeper/reconcile"
)

// emulator starts a local Cognito emulator, which the examples call in
// place of Cognito. Each example plays a process of its own: the emulator
// is new, and so is the default Pacer (pace.Default). The emulator
// enforces no quota, so that Pacer paces nothing (pacetest.Unpaced): the
// examples show the calls without waiting out Cognito's quota between
// them, which package pace and the pacing tests cover.
func emulator() *cognitotest.Server {
	pace.SetDefault(pacetest.Unpaced())
	return cognitotest.NewServer()
}

// Every problem of a file comes at once, sorted by position, each with its
// line, column, path and rule.
func ExampleParse() {
	_, err := reconcile.Parse("scopes.yaml", []byte(`userPoolId: us-east-1_Example1
resourceServers:
  - identifier: https://orders.example.com
    name: Orders/API
    scopes:
      - name: orders read
        description: Read orders
      - name: orders.write
        descripton: Write orders
`))
	var fe *reconcile.FileError
	if errors.As(err, &fe) {
		for _, p := range fe.Problems {
			fmt.Printf("%d:%d %s (%s)\n", p.Line, p.Column, p.Path, p.Rule)
		}
	}
	// Output:
	// 4:11 resourceServers[0].name (pattern)
	// 6:15 resourceServers[0].scopes[0].name (pattern)
	// 8:9 resourceServers[0].scopes[1].description (required)
	// 9:9 resourceServers[0].scopes[1].descripton (unknown field)
}

// Plan a file against a pool, print the plan, apply it.
func ExampleReconciler_Plan() {
	srv := emulator()
	defer srv.Close()
	if err := srv.AddUserPool("us-east-1_Example1", "example"); err != nil {
		panic(err)
	}
	_ = srv.PutResourceServer(cognitotest.ResourceServer{UserPoolID: "us-east-1_Example1", Identifier: "https://orders.example.com", Name: "Orders",
		Scopes: []cognitotest.Scope{{Name: "orders.read", Description: "Read"}, {Name: "orders.admin", Description: "Administer"}}})

	api := srv.Client() // in production: cognitoidentityprovider.NewFromConfig(cfg)
	rec := reconcile.New(api, appclient.New(api))
	f, err := reconcile.Parse("scopes.yaml", []byte(`userPoolId: us-east-1_Example1
resourceServers:
  - identifier: https://orders.example.com
    name: Orders API
    scopes:
      - {name: orders.read, description: Read orders}
      - {name: orders.write, description: Write orders}
`))
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	p, err := rec.Plan(ctx, f, reconcile.PlanOptions{})
	if err != nil {
		panic(err)
	}
	_ = p.WriteText(os.Stdout)
	res, err := rec.Apply(ctx, p, reconcile.ApplyOptions{})
	if err != nil {
		panic(err)
	}
	for _, s := range res.Steps {
		fmt.Println(s.Step, s.Outcome)
	}
	// Output:
	// Plan for user pool us-east-1_Example1:
	//
	//   ~ https://orders.example.com
	//       ~ name "Orders" -> "Orders API"
	//       ~ orders.read "Read" -> "Read orders"
	//       + orders.write "Write orders"
	//       - orders.admin "Administer"
	//
	// Plan: 0 to add, 1 to change, 0 to destroy.
	// change https://orders.example.com done
}

// A file is never altered and cannot explode: invalid UTF-8 is refused
// before the parser sees it, aliases are refused, and the report lists
// at most MaxProblems problems, then counts the rest.
func ExampleParse_hostile() {
	for _, text := range []string{
		"userPoolId: us-east-1_Example1\nresourceServers:\n  - {identifier: a, name: A, scopes: [{name: r, description: caf\xe9}]}\n",
		"resourceServers:\n  - &s {identifier: a, name: A, scopes: []}\n  - *s\n",
		"\ufeff{\"userPoolId\": \"us-east-1_Example1\", \"resourceServers\": []}",
	} {
		_, err := reconcile.Parse("scopes.yaml", []byte(text))
		var fe *reconcile.FileError
		if !errors.As(err, &fe) {
			fmt.Println("parsed")
			continue
		}
		for _, p := range fe.Problems {
			fmt.Println(strings.TrimSpace(fmt.Sprintf("%d:%d %s %s", p.Line, p.Column, p.Rule, p.Path)))
		}
	}
	// Output:
	// 3:65 utf8
	// 3:5 alias resourceServers[1]
	// parsed
}

// A file with problems is still checked against the pool: one run shows
// every problem, sorted by position, each with its own rule.
func ExampleReconciler_Plan_problems() {
	srv := emulator()
	defer srv.Close()
	if err := srv.AddUserPool("us-east-1_Example1", "example"); err != nil {
		panic(err)
	}
	api := srv.Client()
	rec := reconcile.New(api, appclient.New(api))
	f, err := reconcile.Parse("scopes.yaml", []byte(`userPoolId: us-east-1_Example1
resourceServers:
  - identifier: https://orders.example.com
    name: Orders API
    colour: blue
    scopes: [{name: orders.read, description: Read orders}]
appClients:
  - clientName: billing-worker
    scopes: [https://orders.example.com/orders.write]
`))
	if f == nil {
		panic(err) // unreadable: nothing more to check
	}
	_, err = rec.Plan(context.Background(), f, reconcile.PlanOptions{})
	var fe *reconcile.FileError
	if errors.As(err, &fe) {
		for _, p := range fe.Problems {
			fmt.Printf("%d:%d %s (%s)\n", p.Line, p.Column, p.Path, p.Rule)
		}
	}
	// Output:
	// 5:5 resourceServers[0].colour (unknown field)
	// 8:17 appClients[0].clientName (unknown app client)
	// 9:14 appClients[0].scopes[0] (undefined scope)
}

// Report each step as its write lands, and each final outcome.
func ExampleApplyOptions_onStep() {
	srv := emulator()
	defer srv.Close()
	if err := srv.AddUserPool("us-east-1_Example1", "example"); err != nil {
		panic(err)
	}
	api := srv.Client()
	rec := reconcile.New(api, appclient.New(api), func(o *reconcile.Options) { o.Parallelism = 1 })
	f, err := reconcile.Parse("scopes.yaml", []byte(`userPoolId: us-east-1_Example1
resourceServers:
  - {identifier: https://orders.example.com, name: Orders, scopes: [{name: orders.read, description: Read}]}
  - {identifier: https://stock.example.com, name: Stock, scopes: [{name: stock.read, description: Read}]}
`))
	if err != nil {
		panic(err)
	}
	p, err := rec.Plan(context.Background(), f, reconcile.PlanOptions{})
	if err != nil {
		panic(err)
	}
	var final []string
	res, err := rec.Apply(context.Background(), p, reconcile.ApplyOptions{
		OnStep: func(s reconcile.StepResult) { fmt.Printf("%s: %s\n", s.Step, s.Outcome) },
		Progress: func(s reconcile.StepResult, finished, total int) {
			final = append(final, fmt.Sprintf("%s: %s", s.Step, s.Outcome))
		},
	})
	if err != nil {
		panic(err)
	}
	slices.Sort(final) // one listing verifies the wave: its outcomes come together
	fmt.Println(strings.Join(final, "\n"))
	fmt.Println(len(res.Done()), "done")
	// Output:
	// create https://orders.example.com: written, not verified
	// create https://stock.example.com: written, not verified
	// create https://orders.example.com: done
	// create https://stock.example.com: done
	// 2 done
}
