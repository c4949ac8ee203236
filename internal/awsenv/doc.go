// Package awsenv turns the scopekeeper command's flags and SCOPEKEEPER_*
// environment variables into an aws.Config: the standard AWS configuration
// chain (config.LoadDefaultConfig: AWS_* variables, shared config and
// credentials files, SSO, roles), or a local emulator such as cognitotest
// when an endpoint is given. Resolve merges flags and variables; Load
// builds the config without sending anything.
package awsenv
