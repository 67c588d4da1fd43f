package sum

// Add returns a + b.
func Add(a, b int) (int, error) {
	return a + b, nil
}

// Double returns 2a, with Add.
func Double(a int) (int, error) {
	return Add(a, a)
}
