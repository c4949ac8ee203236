package dynamolock_test

func runChild(mode string) int { return 2 }

const childEnv = "DYNAMOLOCK_TEST_CHILD"
