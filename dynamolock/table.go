package dynamolock

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/scopekeeper/scopekeeper/internal/wait"
)

// CreateTable creates the lock table named table, with the string
// partition key "key" and on-demand (PAY_PER_REQUEST) billing, and waits,
// reading it with DescribeTable every 100ms to 2s, until it is ACTIVE or
// ctx is done. A table that already exists is waited for too, after a
// check that its key schema is the one a Locker needs. It returns an
// *Error for a failed request or a table with another key schema, and
// ctx's error when ctx ends first.
func CreateTable(ctx context.Context, api TableAPI, table string) error {
	_, err := api.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName: aws.String(table),
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String(attrKey), AttributeType: types.ScalarAttributeTypeS},
		},
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String(attrKey), KeyType: types.KeyTypeHash},
		},
		BillingMode: types.BillingModePayPerRequest,
	})
	var inUse *types.ResourceInUseException
	if err != nil && !errors.As(err, &inUse) {
		return tableError(ctx, "CreateTable", table, err)
	}
	checked := err == nil
	for d := 100 * time.Millisecond; ; d = min(2*d, 2*time.Second) {
		out, err := api.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)})
		if err != nil {
			return tableError(ctx, "DescribeTable", table, err)
		}
		if !checked {
			if err := checkSchema(out.Table); err != nil {
				return &Error{Op: "CreateTable", Table: table, Err: err}
			}
			checked = true
		}
		if out.Table != nil && out.Table.TableStatus == types.TableStatusActive {
			return nil
		}
		if err := wait.Sleep(ctx, d); err != nil {
			return err
		}
	}
}

func tableError(ctx context.Context, op, table string, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return &Error{Op: op, Table: table, Err: err}
}

// checkSchema checks that an existing table's key is the string
// partition key "key" alone.
func checkSchema(t *types.TableDescription) error {
	if t == nil {
		return errors.New("DescribeTable returned no table")
	}
	ok := len(t.KeySchema) == 1 && aws.ToString(t.KeySchema[0].AttributeName) == attrKey &&
		t.KeySchema[0].KeyType == types.KeyTypeHash
	if ok {
		for _, a := range t.AttributeDefinitions {
			if aws.ToString(a.AttributeName) == attrKey && a.AttributeType != types.ScalarAttributeTypeS {
				ok = false
			}
		}
	}
	if !ok {
		return fmt.Errorf("the table exists with another key schema; a lock table needs a string partition key %q and no sort key", attrKey)
	}
	return nil
}
