package validate_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	rserrors "github.com/scopekeeper/scopekeeper/errors"
	"github.com/scopekeeper/scopekeeper/validate"
)

func ExampleName() {
	for _, name := range []string{"Orders API", "Orders\vAPI", "Orders/API", "Commandes é"} {
		err := validate.Name(name)
		var ve *rserrors.ValidationError
		if errors.As(err, &ve) {
			fmt.Printf("%q: %s\n", name, ve.Violations[0].Detail)
			continue
		}
		fmt.Printf("%q: ok\n", name)
	}
	// Output:
	// "Orders API": ok
	// "Orders\vAPI": ok
	// "Orders/API": must match [\w\s+=,.@-]+: character '/' (U+002F) at index 6 is not allowed
	// "Commandes é": must match [\w\s+=,.@-]+: character 'é' (U+00E9) at index 10 is not allowed
}

func ExampleUserPoolID() {
	for _, id := range []string{"us-east-1_AbCdEf123", "us-east-1", "us-east-1_"} {
		fmt.Printf("%q valid: %v\n", id, validate.UserPoolID(id) == nil)
	}
	// Output:
	// "us-east-1_AbCdEf123" valid: true
	// "us-east-1" valid: false
	// "us-east-1_" valid: false
}

func ExampleUpdateResourceServerInput() {
	err := validate.UpdateResourceServerInput(&cip.UpdateResourceServerInput{
		UserPoolId: aws.String("us-east-1_AbCdEf123"),
		Identifier: aws.String("https://orders.example.com"),
		Name:       aws.String("Orders/API"),
		Scopes: []types.ResourceServerScopeType{
			{ScopeName: aws.String("orders/read"), ScopeDescription: aws.String("Read orders")},
			{ScopeName: aws.String("write"), ScopeDescription: aws.String("")},
			{ScopeName: aws.String("write")},
		},
	})
	var ve *rserrors.ValidationError
	if errors.As(err, &ve) {
		fmt.Println(ve.Operation, len(ve.Violations))
		for _, v := range ve.Violations {
			fmt.Println(v.Field, v.Rule)
		}
	}
	// Output:
	// UpdateResourceServer 5
	// Name pattern
	// Scopes[0].ScopeName pattern
	// Scopes[1].ScopeDescription length
	// Scopes[2].ScopeName unique
	// Scopes[2].ScopeDescription required
}

func ExampleWithValidation() {
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		fmt.Fprint(w, `{"ResourceServer":{}}`)
	}))
	defer srv.Close()

	client := cip.New(cip.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
		HTTPClient:   srv.Client(),
	}, validate.WithValidation)

	_, err := client.CreateResourceServer(context.Background(), &cip.CreateResourceServerInput{
		UserPoolId: aws.String("us-east-1_AbCdEf123"),
		Identifier: aws.String("orders api"),
		Name:       aws.String("Orders API"),
	})
	var ve *rserrors.ValidationError
	if errors.As(err, &ve) {
		for _, v := range ve.Violations {
			fmt.Println(v.Field, v.Rule)
		}
	}
	fmt.Println("requests sent:", requests.Load())
	// Output:
	// Identifier pattern
	// requests sent: 0
}
