package validate

// PLACEHOLDER: the validate helper replaces this file. Signatures are the contract.

import (
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
)

func UserPoolID(s string) error       { return nil }
func Identifier(s string) error       { return nil }
func Name(s string) error             { return nil }
func ScopeName(s string) error        { return nil }
func ScopeDescription(s string) error { return nil }

func CreateResourceServerInput(in *cip.CreateResourceServerInput) error     { return nil }
func UpdateResourceServerInput(in *cip.UpdateResourceServerInput) error     { return nil }
func DescribeResourceServerInput(in *cip.DescribeResourceServerInput) error { return nil }
func DeleteResourceServerInput(in *cip.DeleteResourceServerInput) error     { return nil }
func ListResourceServersInput(in *cip.ListResourceServersInput) error       { return nil }

func WithValidation(o *cip.Options) {}
