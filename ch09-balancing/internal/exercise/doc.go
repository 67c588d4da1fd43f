// Package exercise lets an unfinished exercise fail politely.
//
// Every function a learner has to write starts out as a stub that returns
// [NotDone]. The error names the exercise and the README section to read, so
// a failing test points at the next thing to do instead of at a panic or a
// compile error. Under a Korean locale (LANG=ko_KR.UTF-8, for example) the
// line is in Korean and points at README.ko.md.
//
// # Usage
//
//	func (l *Log) Append(record Record) (uint64, error) {
//		return 0, exercise.NotDone("1.1")
//	}
package exercise
