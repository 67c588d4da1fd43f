package auth

import (
	"fmt"
	"strings"
)

// checkPolicy returns an error naming the first rule of rules that casbin
// would take too literally. casbin's CSV reader trims the spaces before a
// field but not after it, and knows comments only at the start of a line,
// so it reads:
//
//	p, root , *, produce    as the subject "root " (and root is denied)
//	p, root, *, produce # x as the action "produce # x"
//	p, , *, produce         as a rule for the empty subject
//
// None of these is what its author meant, and each decides quietly: the
// ACL refuses them all when it loads instead.
func checkPolicy(rules [][]string) error {
	for i, rule := range rules {
		for j, field := range rule {
			switch {
			case field == "":
				return fmt.Errorf("policy rule %d %q: field %d is empty", i+1, rule, j+1)
			case strings.TrimSpace(field) != field:
				return fmt.Errorf("policy rule %d %q: field %d %q has spaces around it", i+1, rule, j+1, field)
			case strings.Contains(field, "#"):
				return fmt.Errorf("policy rule %d %q: field %d %q holds a #: comments must be lines of their own", i+1, rule, j+1, field)
			}
		}
	}
	return nil
}
