// Package stub turns a reference solution into the learner's starting file.
//
// A reference file marks the code of each exercise with comment lines:
//
//	//exercise:3.1 begin
//	...reference code...
//	//exercise:3.1 stub
//	// return 0, 0, exercise.NotDone("3.1")
//	//exercise:3.1 end
//
// [Learner] replaces every region with its stub (the commented lines after
// "stub", uncommented), [Reference] drops the markers and the stubs to give
// the plain solution, and [Parse] lists the regions for reveal and reset.
// The same markers work in .proto files, which use // comments too.
//
// # Usage
//
//	learner, err := stub.Learner(src, stub.Options{
//		Go:       true,
//		Import:   "example.com/ch03-log/internal/exercise",
//		Where:    func(id string) string { return "README.md#31-store" },
//	})
package stub

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
)

// marker matches one marker line and captures its indentation, exercise id,
// kind (begin, stub or end) and any trailing text.
var marker = regexp.MustCompile(`^([ \t]*)//exercise:(\S+) (begin|stub|end)\b(.*)$`)

// Region is one marked stretch of a file.
type Region struct {
	// ID is the exercise the region belongs to, e.g. "3.1".
	ID string
	// Indent is the indentation of the marker lines.
	Indent string
	// Code is the reference code between begin and stub (or end).
	Code []string
	// Stub is the learner's code, already uncommented.
	Stub []string
	// Trailer is the text after "begin" on the begin line, kept as it is.
	Trailer string
	// Start and End are the 1-based line numbers of the begin and end markers.
	Start, End int
}

// piece is a file split into plain lines and regions, in order.
type piece struct {
	line   string
	region *Region
}

// Parse splits src into its regions. It reports unbalanced or nested markers
// with their line numbers.
func Parse(src []byte) ([]Region, error) {
	pieces, err := split(src)
	if err != nil {
		return nil, err
	}
	var regions []Region
	for _, p := range pieces {
		if p.region != nil {
			regions = append(regions, *p.region)
		}
	}
	return regions, nil
}

func split(src []byte) ([]piece, error) {
	lines := strings.Split(string(src), "\n")
	var pieces []piece
	var open *Region
	inStub := false
	for i, line := range lines {
		n := i + 1
		m := marker.FindStringSubmatch(line)
		if m == nil {
			switch {
			case open == nil:
				pieces = append(pieces, piece{line: line})
			case inStub:
				open.Stub = append(open.Stub, uncomment(line, open.Indent))
			default:
				open.Code = append(open.Code, line)
			}
			continue
		}
		indent, id, kind := m[1], m[2], m[3]
		switch kind {
		case "begin":
			if open != nil {
				return nil, fmt.Errorf("line %d: exercise %s begins inside exercise %s (line %d)", n, id, open.ID, open.Start)
			}
			open = &Region{ID: id, Indent: indent, Trailer: m[4], Start: n}
			inStub = false
		case "stub", "end":
			if open == nil || open.ID != id {
				return nil, fmt.Errorf("line %d: %q of exercise %s without its begin", n, kind, id)
			}
			if kind == "stub" {
				if inStub {
					return nil, fmt.Errorf("line %d: second stub in exercise %s", n, id)
				}
				inStub = true
				continue
			}
			open.End = n
			pieces = append(pieces, piece{region: open})
			open = nil
		}
	}
	if open != nil {
		return nil, fmt.Errorf("line %d: exercise %s begins but never ends", open.Start, open.ID)
	}
	return pieces, nil
}

// uncomment turns a commented stub line back into code: the "// " after the
// region's indentation goes, the rest stays.
func uncomment(line, indent string) string {
	rest, ok := strings.CutPrefix(line, indent)
	if !ok {
		return line
	}
	trimmed := strings.TrimLeft(rest, " \t")
	lead := rest[:len(rest)-len(trimmed)]
	switch {
	case strings.HasPrefix(trimmed, "// "):
		return indent + lead + trimmed[3:]
	case trimmed == "//":
		return ""
	}
	return line
}

// Reference returns src without markers and stubs: the plain solution, as a
// later chapter carries it.
func Reference(src []byte) ([]byte, error) {
	return rewrite(src, func(r *Region) []string { return r.Code })
}

// rewrite rebuilds src with each region replaced by what region returns.
func rewrite(src []byte, region func(*Region) []string) ([]byte, error) {
	pieces, err := split(src)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, p := range pieces {
		if p.region == nil {
			out = append(out, p.line)
			continue
		}
		out = append(out, region(p.region)...)
	}
	return []byte(strings.Join(out, "\n")), nil
}

// Options says how to finish a learner file.
type Options struct {
	// Go is true for Go source: imports are fixed and the result is gofmt'ed.
	Go bool
	// Import is the import path of the chapter's exercise package, added when
	// a stub calls exercise.NotDone.
	Import string
	// Where returns the README section of an exercise, shown on the begin line.
	Where func(id string) string
	// Stubbed, when set, says which exercises to stub; the others keep their
	// reference code. Verify uses it to stand where a learner stands after
	// finishing the exercises before one.
	Stubbed func(id string) bool
}

// Learner returns the learner's version of a reference file: each region's
// code replaced by its stub, between markers that say where to read.
func Learner(src []byte, opts Options) ([]byte, error) {
	text, err := rewrite(src, func(r *Region) []string { return learnerRegion(r, opts) })
	if err != nil || !opts.Go {
		return text, err
	}
	return FixGo(text, opts.Import)
}

func learnerRegion(r *Region, opts Options) []string {
	if opts.Stubbed != nil && !opts.Stubbed(r.ID) {
		return r.Code
	}
	begin := r.Indent + "//exercise:" + r.ID + " begin"
	if opts.Where != nil {
		begin += ": see " + opts.Where(r.ID)
	}
	lines := []string{begin}
	lines = append(lines, r.Stub...)
	return append(lines, r.Indent+"//exercise:"+r.ID+" end")
}

// ReplaceRegions replaces the bodies of exercise id's regions in the learner
// file dst with bodies, in order. It is how one exercise is reset or revealed
// without touching the learner's other work.
func ReplaceRegions(dst []byte, id string, bodies [][]string) ([]byte, error) {
	pieces, err := split(dst)
	if err != nil {
		return nil, err
	}
	var mine []*Region
	for _, p := range pieces {
		if p.region != nil && p.region.ID == id {
			mine = append(mine, p.region)
		}
	}
	if len(mine) != len(bodies) {
		return nil, fmt.Errorf("the file has %d regions of exercise %s where the reference has %d: were its //exercise: lines edited?", len(mine), id, len(bodies))
	}
	var buf bytes.Buffer
	k := 0
	for i, p := range pieces {
		if i > 0 {
			buf.WriteByte('\n')
		}
		if p.region == nil {
			buf.WriteString(p.line)
			continue
		}
		if p.region.ID != id {
			buf.WriteString(strings.Join(rawRegion(p.region), "\n"))
			continue
		}
		replaced := *p.region
		replaced.Code = bodies[k]
		k++
		buf.WriteString(strings.Join(rawRegion(&replaced), "\n"))
	}
	return buf.Bytes(), nil
}

// rawRegion writes a learner-side region back out: begin, code, end.
func rawRegion(r *Region) []string {
	lines := []string{r.Indent + "//exercise:" + r.ID + " begin" + r.Trailer}
	lines = append(lines, r.Code...)
	return append(lines, r.Indent+"//exercise:"+r.ID+" end")
}
