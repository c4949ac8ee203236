package resourceserver

import (
	"context"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
)

// API is the part of the Cognito client that a Client uses: the five
// resource-server operations of *cognitoidentityprovider.Client, with the
// SDK's exact signatures. Pass a *cognitoidentityprovider.Client in
// production and a hand-written fake in unit tests.
type API interface {
	// CreateResourceServer sends CreateResourceServer.
	CreateResourceServer(ctx context.Context, params *cip.CreateResourceServerInput, optFns ...func(*cip.Options)) (*cip.CreateResourceServerOutput, error)
	// DescribeResourceServer sends DescribeResourceServer.
	DescribeResourceServer(ctx context.Context, params *cip.DescribeResourceServerInput, optFns ...func(*cip.Options)) (*cip.DescribeResourceServerOutput, error)
	// UpdateResourceServer sends UpdateResourceServer, which replaces the
	// name and the whole scope list.
	UpdateResourceServer(ctx context.Context, params *cip.UpdateResourceServerInput, optFns ...func(*cip.Options)) (*cip.UpdateResourceServerOutput, error)
	// DeleteResourceServer sends DeleteResourceServer.
	DeleteResourceServer(ctx context.Context, params *cip.DeleteResourceServerInput, optFns ...func(*cip.Options)) (*cip.DeleteResourceServerOutput, error)
	// ListResourceServers sends ListResourceServers for one page.
	ListResourceServers(ctx context.Context, params *cip.ListResourceServersInput, optFns ...func(*cip.Options)) (*cip.ListResourceServersOutput, error)
}

var _ API = (*cip.Client)(nil)
