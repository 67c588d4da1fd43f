package auth

import (
	"fmt"
	"sync"

	casbin "github.com/casbin/casbin/v2"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Authorizer answers, from an ACL, whether a subject may perform an action
// on an object. Create one with [New]. It is safe for concurrent use: it
// only reads the ACL it loaded, which never changes afterwards (there is
// no reload: a new ACL takes a new Authorizer, with an empty cache).
type Authorizer struct {
	enforcer *casbin.Enforcer
	// answers caches Authorize's result per question: casbin evaluates its
	// matcher anew on every call, which costs microseconds a call, and the
	// answer cannot change, since the ACL does not.
	answers answerCache
}

// maxCachedAnswers bounds the answers an Authorizer keeps. The questions
// are few in practice (a subject is the name on a certificate of the
// cluster's CA, an action one of three), but a bound keeps a flood of new
// names from growing the cache without end: past it, answers are
// computed each time, as without a cache.
const maxCachedAnswers = 4096

// question is one call of Authorize.
type question struct {
	subject, object, action string
}

// answerCache maps a question to Authorize's answer: nil or the error.
type answerCache struct {
	mu      sync.RWMutex // guards answers
	answers map[question]error
}

// get returns the cached answer to q, and whether there is one.
func (c *answerCache) get(q question) (answer error, ok bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	answer, ok = c.answers[q]
	return answer, ok
}

// put caches answer as the answer to q, unless the cache is full.
func (c *answerCache) put(q question, answer error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.answers == nil {
		c.answers = make(map[question]error)
	}
	if len(c.answers) < maxCachedAnswers {
		c.answers[q] = answer
	}
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
//
// The first answer to each question is cached, the ACL being fixed; an
// answer casbin failed to give is not, so that the next call asks again.
func (a *Authorizer) Authorize(subject, object, action string) error {
	q := question{subject, object, action}
	if answer, ok := a.answers.get(q); ok {
		return answer
	}
	allowed, err := a.enforcer.Enforce(subject, object, action)
	if err != nil {
		// When in doubt, refuse. casbin's error can hold a stack trace:
		// it is not for the client.
		return status.Errorf(codes.PermissionDenied, "%q may not %s on %q: the ACL could not decide", subject, action, object)
	}
	var answer error
	if !allowed {
		answer = status.Errorf(codes.PermissionDenied, "%q may not %s on %q", subject, action, object)
	}
	a.answers.put(q, answer)
	return answer
}
