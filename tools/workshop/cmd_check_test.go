package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/proglog-workshop/proglog/tools/workshop/internal/manifest"
)

// grpcFailure is how a stub's error reaches a test through gRPC: inside a
// status, inside testify's block.
const grpcFailure = `=== RUN   TestProduceConsume
    server_test.go:41: 
        	Error Trace:	/repo/ch04-grpc/internal/server/server_test.go:41
        	Error:      	Received unexpected error:
        	            	rpc error: code = Unknown desc = exercise 4.2 (Produce and Consume) is not done yet: see ch04-grpc/README.md#42-produce-and-consume
        	Test:       	TestProduceConsume
--- FAIL: TestProduceConsume (0.01s)
`

func chapter4() *manifest.Chapter {
	return &manifest.Chapter{Dir: "ch04-grpc", Exercises: []manifest.Exercise{
		{ID: "4.2", Anchor: "42-produce-and-consume", Tests: []string{"internal/server:TestProduceConsume", "internal/server:TestConsumePastEnd"}},
		{ID: "4.3", Anchor: "43-consumestream", Tests: []string{"internal/server:TestConsumeStream"}},
	}}
}

func TestSaidQuotesTheStubsLineWhole(t *testing.T) {
	f := failure{output: grpcFailure}
	require.Equal(t,
		"exercise 4.2 (Produce and Consume) is not done yet: see ch04-grpc/README.md#42-produce-and-consume",
		said(ui{}, chapter4(), f))
	require.Equal(t,
		"아직 하지 않은 실습: 4.2 (Produce and Consume). 읽을 곳: ch04-grpc/README.ko.md#42-produce-and-consume",
		said(ui{ko: true}, chapter4(), f), "in Korean, the line links README.ko.md")
}

func TestSaidShowsAFailingTestFromItsFirstLine(t *testing.T) {
	out := "=== RUN   TestConsumeStream\n=== RUN   TestConsumeStream/reads_in_order\n" +
		"    --- PASS: TestConsumeStream/reads_in_order (0.00s)\n" +
		"    server_test.go:90: \n        \tError:      \tNot equal: \n"
	for i := range 40 {
		out += fmt.Sprintf("        \t            \tline %d\n", i)
	}
	got := said(ui{}, chapter4(), failure{output: out})
	lines := strings.Split(got, "\n")
	require.Equal(t, "    server_test.go:90: ", lines[0], "the report starts at the test's first line of its own")
	require.Len(t, lines, 31, "30 lines and a pointer to the rest")
	require.Equal(t, "… 12 more lines: run the test command above", lines[30])
	require.NotContains(t, got, "=== RUN")
	require.NotContains(t, got, "--- PASS")
}

func TestStateSaysWhereAnUnfinishedExerciseStands(t *testing.T) {
	ch := chapter4()
	ex := ch.Exercises[1]
	stub43 := failure{output: "exercise 4.3 (ConsumeStream) is not done yet: see ch04-grpc/README.md#43-consumestream"}
	require.Equal(t, "not started", state(ui{}, ex, []failure{stub43}))
	require.Equal(t, "waits for 4.2", state(ui{}, ex, []failure{{output: grpcFailure}}))
	require.Equal(t, "not started", state(ui{}, ex, []failure{{output: grpcFailure}, stub43}), "its own stub counts first")
	require.Equal(t, "1 of 1 tests fail", state(ui{}, ex, []failure{{output: "server_test.go:12: got 2 records, want 3"}}))
	require.Equal(t, "테스트 1개 중 1개 실패", state(ui{ko: true}, ex, []failure{{output: "got 2 records"}}))
}

func TestTestCommandRunsExactlyTheExercisesTests(t *testing.T) {
	ch := chapter4()
	require.Equal(t, `go test -race -run '^(TestProduceConsume|TestConsumePastEnd)$' ./internal/server`, testCommand(ch.Exercises[0]))
	require.Equal(t, `go test -race -run '^TestConsumeStream$' ./internal/server`, testCommand(ch.Exercises[1]))
}

func TestBuildTipsSpeakTheLearnersLanguage(t *testing.T) {
	out := `internal/server/log.go:9:2: "github.com/x/ch01/internal/exercise" imported and not used`
	require.Contains(t, buildTips(ui{}, out)[0], "delete that import")
	require.Contains(t, buildTips(ui{ko: true}, out)[0], "임포트를 지우세요")
}
