package sum

import "testing"

func TestAdd(t *testing.T) {
	got, err := Add(2, 3)
	if err != nil {
		t.Fatal(err)
	}
	if got != 5 {
		t.Fatalf("Add(2, 3) = %d, want 5", got)
	}
}

func TestDouble(t *testing.T) {
	got, err := Double(4)
	if err != nil {
		t.Fatal(err)
	}
	if got != 8 {
		t.Fatalf("Double(4) = %d, want 8", got)
	}
}

func TestNegate(t *testing.T) {
	if got := Negate(2); got != -2 {
		t.Fatalf("Negate(2) = %d, want -2", got)
	}
}
