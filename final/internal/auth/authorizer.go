package auth

import (
	"fmt"

	casbin "github.com/casbin/casbin/v2"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Authorizer answers, from an ACL, whether a subject may perform an action
// on an object. Create one with [New]. It is safe for concurrent use: it
// only reads the ACL it loaded.
type Authorizer struct {
	enforcer *casbin.Enforcer
}

// New returns an Authorizer for the casbin model in the file model and the
// rules in the file policy. A file that is missing or malformed, including
// a policy line with the wrong number of fields, an empty field, a field
// with spaces around it or an inline # comment (see checkPolicy), and a
// matcher that does not parse, is an error: there is no ACL that allows,
// or denies, anyone by accident.
func New(model, policy string) (*Authorizer, error) {
	enforcer, err := casbin.NewEnforcer(model, policy)
	if err != nil {
		return nil, fmt.Errorf("load ACL: %w", err)
	}
	rules, err := enforcer.GetPolicy()
	if err != nil {
		return nil, fmt.Errorf("read ACL policy %s: %w", policy, err)
	}
	if err := checkPolicy(rules); err != nil {
		return nil, fmt.Errorf("check ACL policy %s: %w", policy, err)
	}
	// casbin parses the matcher only when it first enforces: do it now, so
	// that a broken model fails here and not on the first call.
	if _, err := enforcer.Enforce("", "", ""); err != nil {
		return nil, fmt.Errorf("check ACL model %s: %w", model, err)
	}
	return &Authorizer{enforcer: enforcer}, nil
}

// Authorize returns nil if the ACL lets subject perform action on object.
// Otherwise, and also when the ACL fails to decide (casbin's Enforce
// returns an error, such as a matcher function failing on this request),
// it returns a status error with code PermissionDenied that names all
// three, ready to go back to a gRPC client as it is.
func (a *Authorizer) Authorize(subject, object, action string) error {
	allowed, err := a.enforcer.Enforce(subject, object, action)
	if err != nil {
		// When in doubt, refuse. casbin's error can hold a stack trace:
		// it is not for the client.
		return status.Errorf(codes.PermissionDenied, "%q may not %s on %q: the ACL could not decide", subject, action, object)
	}
	if !allowed {
		return status.Errorf(codes.PermissionDenied, "%q may not %s on %q", subject, action, object)
	}
	return nil
}
