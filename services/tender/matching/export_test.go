package matching

// WithWorkers returns o with the search split across n workers whatever the
// pool's size, so the tests can compare the split search with the sequential one.
func WithWorkers(o Options, n int) Options {
	o.workers = n
	return o
}
