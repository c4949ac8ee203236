// Package awsenv turns the scopekeeper command's flags and environment
// variables into an aws.Config: the standard AWS configuration chain
// (config.LoadDefaultConfig: AWS_* variables, shared config and
// credentials files, SSO, roles), or a local emulator such as cognitotest
// when an endpoint is given, by --endpoint, the SDK's own
// AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER or its alias
// SCOPEKEEPER_ENDPOINT. Resolve merges flags and variables; Load builds
// the config without sending anything.
package awsenv
