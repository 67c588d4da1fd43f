// Package auth decides who may do what, from an access control list (ACL)
// kept in two casbin files: a model, which says how requests are matched
// against rules, and a policy, the rules themselves. The server asks it
// about every call, with the client's name as the subject.
//
// # Usage
//
//	authorizer, err := auth.New("testdata/model.conf", "testdata/policy.csv")
//	if err != nil {
//		return err // a file that is missing or malformed
//	}
//	err = authorizer.Authorize("root", "*", "produce") // nil: allowed
//	err = authorizer.Authorize("nobody", "*", "produce")
//	// status.Code(err) == codes.PermissionDenied
package auth
