// Package exampleenv is the one place where the example programs decide
// where they run, so that each example's main.go holds only what it shows.
//
// Three targets, chosen by flags or environment variables:
//
//   - the embedded emulator (the default): a cognitotest.Server
//     started in the process, with a new user pool; nothing leaves the
//     machine and the output is the same on every run;
//   - a standalone emulator, -endpoint http://127.0.0.1:9229 (or
//     SCOPEKEEPER_ENDPOINT), such as the one of
//     `go run ./cognitotest/cmd/cognito-emulator`;
//     with -pool it uses that pool, without it creates one and deletes it
//     at the end;
//   - Amazon Cognito, -pool us-east-1_AbCdEf123 (or SCOPEKEEPER_POOL_ID)
//     without -endpoint: the SDK client is built from the standard AWS
//     configuration chain (environment, shared config and credentials
//     files, SSO, instance roles) by config.LoadDefaultConfig, in the
//     region of -region (SCOPEKEEPER_REGION) or else the one the pool id
//     starts with.
//
// On every target an example works only on resource servers whose
// identifiers it got from [Env.Identifier]: unique per run except on the
// embedded emulator, and deleted by [Env.Close] if they still exist. A
// user pool is never deleted unless this package created it.
//
// A program uses it through [Main]:
//
//	func main() { exampleenv.Main(run) }
//
//	func run(ctx context.Context, out io.Writer, env *exampleenv.Env) error {
//		c := resourceserver.New(env.API())
//		...
//	}
//
// and its test calls run with the Env of [Embedded].
package exampleenv
