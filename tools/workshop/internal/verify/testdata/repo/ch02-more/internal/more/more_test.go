package more

import "testing"

func TestTriple(t *testing.T) {
	got, err := Triple(2)
	if err != nil {
		t.Fatal(err)
	}
	if got != 6 {
		t.Fatalf("Triple(2) = %d, want 6", got)
	}
}
