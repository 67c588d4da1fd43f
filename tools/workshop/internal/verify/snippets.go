package verify

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// runCommand finds `go test ... -run PATTERN ... ./dir` in a page.
var runCommand = regexp.MustCompile("go test [^`\\n]*?-run[ =]('[^']*'|\"[^\"]*\"|\\S+)[^`\\n]*?\\s\\./([\\w./-]*)")

// testFunc finds the test and fuzz functions of a test file.
var testFunc = regexp.MustCompile(`(?m)^func ((?:Test|Fuzz)\w*)\(`)

// checkRunCommands checks the `go test -run` commands the pages quote
// against the code: the package directory exists and the pattern selects
// at least one of its tests. A renamed test then breaks the build of the
// docs, not a learner's afternoon.
func checkRunCommands(root string, pages map[string]string) []string {
	var problems []string
	for page, text := range pages {
		for _, m := range runCommand.FindAllStringSubmatch(text, -1) {
			pattern := strings.Trim(m[1], `'"`)
			dir := strings.TrimRight(strings.TrimSuffix(m[2], "..."), "./")
			if strings.ContainsAny(pattern, "<>") || pattern == "^$" {
				continue // a placeholder for the reader, or "run no tests"
			}
			re, err := regexp.Compile(strings.SplitN(pattern, "/", 2)[0])
			if err != nil {
				problems = append(problems, fmt.Sprintf("%s: %q: -run pattern does not compile: %v", page, m[0], err))
				continue
			}
			names, err := testNames(filepath.Join(root, dir))
			if err != nil {
				problems = append(problems, fmt.Sprintf("%s: %q: %v", page, m[0], err))
				continue
			}
			if !anyMatch(re, names) {
				problems = append(problems, fmt.Sprintf("%s: %q selects no test in ./%s", page, m[0], dir))
			}
		}
	}
	return problems
}

func testNames(dir string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*_test.go"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no test files in %s", dir)
	}
	var names []string
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		for _, m := range testFunc.FindAllStringSubmatch(string(src), -1) {
			names = append(names, m[1])
		}
	}
	return names, nil
}

func anyMatch(re *regexp.Regexp, names []string) bool {
	for _, n := range names {
		if re.MatchString(n) {
			return true
		}
	}
	return false
}
