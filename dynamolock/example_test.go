package dynamolock_test

import (
	"context"
	"fmt"
	"log"

	"github.com/scopekeeper/scopekeeper/dynamolock"
)

// Two Lockers, as two processes would have, take turns on one key.
// (Here the DynamoDB client is aimed at dynalite, the test's local
// DynamoDB; in production it is dynamodb.NewFromConfig(cfg).)
func Example() {
	ctx := context.Background()
	endpoint, err := startDynalite()
	if err != nil {
		log.Fatal(err)
	}
	ddb := dynamoClientAt(endpoint)
	if err := dynamolock.CreateTable(ctx, ddb, "example-locks"); err != nil {
		log.Fatal(err)
	}
	newLocker := func(owner string) *dynamolock.Locker {
		l, err := dynamolock.New(ddb, func(o *dynamolock.Options) {
			o.Table = "example-locks"
			o.Owner = owner
		})
		if err != nil {
			log.Fatal(err)
		}
		return l
	}
	a, b := newLocker("worker-a"), newLocker("worker-b")
	const key = "cognito-idp/us-east-1_Example/https://api.example.com"

	held, err := a.Lock(ctx, key)
	if err != nil {
		log.Fatal(err)
	}
	_, err = b.TryLock(ctx, key)
	fmt.Println(dynamolock.IsHeld(err), err)
	fmt.Println(held.Unlock(ctx))

	held, err = b.TryLock(ctx, key)
	fmt.Println(err)
	fmt.Println(held.Unlock(ctx))
	// Output:
	// true dynamolock: cognito-idp/us-east-1_Example/https://api.example.com held by "worker-a"
	// <nil>
	// <nil>
	// <nil>
}
