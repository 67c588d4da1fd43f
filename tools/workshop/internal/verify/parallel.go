package verify

import "sync"

// runsAtOnce is how many go test runs a proof starts at the same time.
// Most of a run is linking (one core) or tests that wait on timers and
// the network, so two at once keep a 2-core machine busy without making
// the tests' deadlines tight.
const runsAtOnce = 2

// inParallel calls run(i) for every i in [0, n), at most runsAtOnce at a
// time, and returns when all have returned. Each run writes only its own
// results, which the caller reads in order afterwards: the report is the
// same whatever order the runs finished in.
func inParallel(n int, run func(i int)) {
	var wg sync.WaitGroup
	slots := make(chan struct{}, runsAtOnce)
	for i := range n {
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			run(i)
		}()
	}
	wg.Wait()
}
